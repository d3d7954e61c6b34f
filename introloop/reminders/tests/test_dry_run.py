"""`introloop remind --dry-run --json`: one line per reminder it would queue, then the summary."""

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from introloop.intros.services import Party
from introloop.outbox.models import Message
from introloop.reminders.models import Reminder

from .factories import introduced

pytestmark = pytest.mark.django_db

INTRODUCED = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # reaching out is due two days later
REACH_OUT_DUE = "2026-11-18T09:00:00Z"


def dry_run(as_of: str) -> tuple[list[dict], dict]:
    """The reminders a dry run as of `as_of` would queue, and its summary."""
    out = StringIO()
    call_command("remind", "--as-of", as_of, "--dry-run", "--json", stdout=out)
    *lines, summary = [json.loads(line) for line in out.getvalue().splitlines()]
    return lines, summary


@pytest.fixture
def intros(alice):
    """Alice introduced Maya (no account) to Tom; and Sam (no account) introduced Alice to
    Ines. Neither seeker writes."""
    maya = introduced(alice, INTRODUCED, seeker=Party("Maya Chen", "maya@example.net"))
    ines = introduced(alice, INTRODUCED, target=Party("Ines Duarte", "ines@example.org"))
    return maya, ines


def test_it_lists_each_reminder_it_would_queue_as_json(intros):
    maya, ines = intros

    lines, summary = dry_run("2026-11-19T08:00:00Z")  # a day late; 9 o'clock in Paris

    assert lines == [
        {"kind": "digest", "to": "alice@example.com", "intro_id": None, "step": None,
         "due_at": None},
        {"kind": "nudge", "to": "maya@example.net", "intro_id": maya.id, "step": "reach_out",
         "due_at": REACH_OUT_DUE},
    ]  # fmt: skip
    assert summary == {"due": 2, "queued": 2, "skipped_already_sent": 0}

    # Five days late the connectors hear about it; a week on, the targets are asked.
    lines, summary = dry_run("2026-11-23T10:00:00Z")

    assert lines == [
        {"kind": "digest", "to": "alice@example.com", "intro_id": None, "step": None,
         "due_at": None},
        {"kind": "nudge", "to": "maya@example.net", "intro_id": maya.id, "step": "reach_out",
         "due_at": REACH_OUT_DUE},
        {"kind": "heads_up", "to": "alice@example.com", "intro_id": maya.id,
         "step": "reach_out", "due_at": REACH_OUT_DUE},
        {"kind": "heads_up", "to": "sam@example.com", "intro_id": ines.id, "step": "reach_out",
         "due_at": REACH_OUT_DUE},
        {"kind": "checkin", "to": "tom@example.org", "intro_id": maya.id, "step": "reach_out",
         "due_at": REACH_OUT_DUE},
        {"kind": "checkin", "to": "ines@example.org", "intro_id": ines.id, "step": "reach_out",
         "due_at": REACH_OUT_DUE},
    ]  # fmt: skip
    assert summary == {"due": 2, "queued": 6, "skipped_already_sent": 0}


def test_it_queues_nothing_and_lists_nothing_already_queued(intros):
    dry_run("2026-11-23T10:00:00Z")
    assert not Reminder.objects.exists() and not Message.objects.exists()

    call_command("remind", "--as-of", "2026-11-23T10:00:00Z", stdout=StringIO())
    queued = Message.objects.count()
    assert queued == 6

    lines, summary = dry_run("2026-11-23T10:00:00Z")
    assert lines == []
    # The digest and heads-ups are found again and skipped by key; a nudge two days apart
    # and a check-in once are not even candidates any more.
    assert summary == {"due": 2, "queued": 0, "skipped_already_sent": 3}
    assert Message.objects.count() == queued

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from introloop.intros.models import Intro
from introloop.outbox.models import Message
from introloop.reminders.models import Reminder

from .factories import introduced

pytestmark = pytest.mark.django_db


def test_today_over_the_api_with_done_and_snooze(alice_api, alice):
    intro = introduced(alice, timezone.now() - timedelta(days=3))
    body = alice_api.get("/api/v1/today").json()
    [item] = body["items"]
    assert item["kind"] == "intro_step" and item["step"] == "reach_out"
    assert item["title"] == "Write to Tom Hale" and item["overdue"] is True
    assert item["intro_id"] == intro.id and item["url"] == f"/intros/{intro.id}/"
    assert item["draft"]["mailto"].startswith("mailto:tom@example.org")

    earlier = alice_api.get("/api/v1/today", data={"as_of": (timezone.now() - timedelta(days=10))
                            .isoformat()}).json()  # fmt: skip
    assert earlier["items"] == []

    snoozed = alice_api.post(f"/api/v1/today/{item['key']}/snooze", json={"days": 3})
    assert snoozed.status_code == 200
    assert alice_api.get("/api/v1/today").json()["items"] == []
    assert (
        alice_api.post(f"/api/v1/today/{item['key']}/snooze", json={"days": 5}).status_code == 422
    )

    done = alice_api.post(f"/api/v1/today/{item['key']}/done")
    assert done.status_code == 200
    assert Intro.objects.get(pk=intro.pk).state == "reached_out"
    assert alice_api.post("/api/v1/today/intro:999:reach_out/done").status_code == 404
    assert alice_api.get("/api/v1/today?as_of=yesterday").status_code == 422


def run(*args) -> str:
    out = StringIO()
    call_command("remind", *args, stdout=out)
    return out.getvalue()


def test_remind_as_of_dry_run_and_json(alice):
    introduced(alice, datetime(2026, 11, 20, 9, tzinfo=UTC))
    listed = run("--as-of", "2026-11-23T08:00:00Z", "--dry-run", "--json")
    assert "digest" in listed and "alice@example.com" in listed
    assert json.loads(listed.strip().splitlines()[-1]) == {"due": 1, "queued": 1,
                                                          "skipped_already_sent": 0}  # fmt: skip
    assert not Reminder.objects.exists() and not Message.objects.exists()

    first = json.loads(run("--as-of", "2026-11-23T08:00:00Z", "--json").splitlines()[-1])
    assert first["queued"] == 1  # the digest (a day late is not yet worth a heads-up)
    again = json.loads(run("--as-of", "2026-11-23T08:00:00", "--json").splitlines()[-1])
    assert again == {"due": 1, "queued": 0, "skipped_already_sent": 1}
    assert "1 due; queued 0; 1 already sent." in run("--as-of", "2026-11-23T08:00:00Z")


def test_remind_refuses_a_malformed_moment(db):
    with pytest.raises(CommandError, match="must be ISO-8601"):
        run("--as-of", "next tuesday")

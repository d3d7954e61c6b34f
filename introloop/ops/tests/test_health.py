"""Reminders that silently stop are the worst failure: /health, `introloop status`, the
banner and the worker's own exit say so."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from introloop.ops import health
from introloop.ops.models import Heartbeat
from introloop.ops.worker import Worker
from introloop.outbox.services import queue_message

pytestmark = pytest.mark.django_db


def status() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("status", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_health_is_503_until_a_worker_is_seen_then_200():
    response = Client().get("/health")
    assert response.status_code == 503
    assert response.json()["worker_seen_at"] is None

    Worker(jobs=[]).run_pass(timezone.now())

    response = Client().get("/health")
    assert response.status_code == 200
    assert set(response.json()) == {
        "database", "worker_seen_at", "outbox_backlog", "oldest_unsent_age_s", "last_sweep_at",
    }  # fmt: skip
    assert response.json()["database"] == "ok"


def test_health_counts_the_backlog_and_says_when_the_worker_went_quiet(alice):
    queue_message(to=["tom@example.org"], subject="s", body_text="b",
                  now=timezone.now() - timedelta(minutes=10))  # fmt: skip
    health.beat("host:1", timezone.now() - timedelta(minutes=6))

    body = Client().get("/health")
    assert body.status_code == 503
    assert body.json()["outbox_backlog"] == 1
    assert body.json()["oldest_unsent_age_s"] >= 600
    assert "alice" not in body.content.decode()  # nothing of anyone's data

    code, _, err = status()
    assert code == 1
    assert "No worker has been seen for 6 minutes" in err
    assert "introloop worker" in err


def test_status_exits_zero_when_all_is_well():
    health.beat("host:1", timezone.now(), swept=True)
    code, out, _ = status()
    assert code == 0
    assert out.strip().endswith("healthy")
    call_command("status", "--json", stdout=(buffer := StringIO()))
    assert json.loads(buffer.getvalue())["last_sweep_at"] is not None


def test_staff_and_a_lone_user_see_the_banner_others_do_not(alice, bob, charlie):
    for user, sees in ((charlie, True), (alice, False)):
        client = Client()
        client.force_login(user)
        page = client.get("/today/").content.decode()
        assert ("Introloop needs attention" in page) is sees
        assert ("introloop worker" in page) is sees


def test_a_worker_whose_every_job_fails_gives_up_and_says_why():
    def broken(now):
        raise RuntimeError("attempt to write a readonly database")

    worker = Worker(jobs=[(broken, timedelta(0))], give_up_after=3)
    now = timezone.now()
    for _ in range(3):
        worker.run_pass(now)
    assert worker.given_up
    beat = Heartbeat.objects.get()
    assert beat.failing_since is not None
    assert "readonly database" in beat.last_error
    assert Client().get("/health").status_code == 503
    assert "fails every job" in status()[2]


def test_a_database_that_refuses_writes_gets_a_clear_page_not_a_500(alice_client):
    from django.db import OperationalError, connection

    def refuse_writes(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            # What SQLite says when the data directory is read-only (root ignores chmod here).
            raise OperationalError("attempt to write a readonly database")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_writes):
        response = alice_client.post("/contacts/new/", {"full_name": "Ann Lee"})

    assert response.status_code == 503
    assert "cannot save anything right now" in response.content.decode()

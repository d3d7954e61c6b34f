"""The sweep split into shards: together they hold every reminder once, whoever's accounts an
introduction names; a worker passes over a shard another holds and comes back to it."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from conftest import make_user
from introloop.goals.models import Goal
from introloop.intros import lifecycle
from introloop.intros.models import Intro
from introloop.intros.services import Party
from introloop.network.models import Contact
from introloop.network.tests.factories import contact
from introloop.reminders.models import Reminder, SweepShard
from introloop.reminders.sweep import SHARDS, collect, sweep

from .factories import introduced

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday: weekly summaries are due too


def a_network(people: int = 12) -> None:
    """People with accounts who introduce one another: seekers and connectors, targets with
    accounts, seekers without one, loops closed, keep-in-touch reminders and goals."""
    users = [
        make_user(f"user{n}@example.com", f"User {n}", date_joined=NOW - timedelta(days=60))
        for n in range(people)
    ]
    for n, user in enumerate(users):
        connector, target = users[(n + 5) % people], users[(n + 3) % people]
        introduced(user, NOW - timedelta(days=6), connector=Party(connector.name, connector.email))
        introduced(user, NOW - timedelta(days=8), seeker=Party(f"Guest {n}", f"g{n}@example.net"))
        introduced(
            user,
            NOW - timedelta(days=5),
            connector=Party(connector.name, connector.email),
            target=Party(target.name, target.email),
        )
        if n % 3 == 0:
            intro = introduced(user, NOW - timedelta(days=4))
            lifecycle.record_event(intro.id, "met", roles={"seeker"}, now=NOW - timedelta(days=3))
            lifecycle.record_event(
                intro.id, "loop_closed", roles={"seeker"}, now=NOW - timedelta(days=2),
                outcome="We met.",
            )  # fmt: skip
        if n % 2 == 0:
            Goal.objects.create(owner=user, title="Data teams in Lyon")
        if n % 4 == 1:
            friend = contact(user, f"Friend {n}", keep_in_touch_days=30)
            Contact.objects.filter(pk=friend.pk).update(reconnect_due_on=NOW.date())


@pytest.mark.django_db
@pytest.mark.parametrize("shards", [3, SHARDS])
def test_it_the_shards_together_hold_each_candidate_once(shards):
    a_network()
    both = Intro.objects.filter(seeker_user__isnull=False, connector_user__isnull=False)
    assert any(i.seeker_user_id % shards != i.connector_user_id % shards for i in both)
    due, whole = collect(NOW)
    assert {c.kind for c in whole} >= {"digest", "nudge", "escalation", "checkin", "outcome",
                                       "weekly"}  # fmt: skip

    parts = [collect(NOW, shard, shards) for shard in range(shards)]

    keys = [c.key for _, candidates in parts for c in candidates]
    assert len(keys) == len(set(keys))  # no reminder in two shards
    assert set(keys) == {c.key for c in whole}
    assert sum(part_due for part_due, _ in parts) == due
    # Each digest in its owner's shard lists all they have due, as the whole sweep's does.
    digests = {c.key: c for _, candidates in parts for c in candidates if c.kind == "digest"}
    for candidate in whole:
        if candidate.kind == "digest":
            sharded = digests[candidate.key].compose(NOW, [])
            assert sharded.body_text == candidate.compose(NOW, []).body_text


@pytest.mark.django_db
def test_it_one_sweep_in_shards_queues_what_an_unsharded_one_would():
    a_network()
    expected = {c.key for c in sweep(NOW, dry_run=True).candidates}

    summary = sweep(NOW, shards=SHARDS)

    assert summary.shards_swept == SHARDS
    assert summary.queued == len(expected) == Reminder.objects.count()
    assert set(Reminder.objects.values_list("key", flat=True)) == expected
    assert sweep(NOW, shards=SHARDS).queued == 0


postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="row locks: SQLite sweeps in one pass"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("they_finish", [False, True])
def test_it_comes_back_to_a_shard_another_worker_holds(they_finish):
    """Another worker holds shard 0 while this one sweeps: this one sweeps the others, waits,
    then sweeps shard 0 too, unless the other recorded a sweep of it for the same moment
    whose read began after this sweep did."""
    a_network()
    in_shard_0 = {c.key for c in collect(NOW, 0, SHARDS)[1]}
    assert in_shard_0
    SweepShard.objects.bulk_create([SweepShard(id=k) for k in range(SHARDS)])
    holding = threading.Event()

    def other_worker() -> None:
        with transaction.atomic():
            SweepShard.objects.select_for_update().get(id=0)
            holding.set()
            time.sleep(1.5)
            if they_finish:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT clock_timestamp()")
                    read_at = cursor.fetchone()[0]
                SweepShard.objects.filter(id=0).update(as_of=NOW, read_at=read_at)
        connection.close()

    other = threading.Thread(target=other_worker)
    other.start()
    assert holding.wait(10)
    started = time.monotonic()
    summary = sweep(NOW)
    other.join()

    assert time.monotonic() - started >= 1.0  # it waited for shard 0
    queued = set(Reminder.objects.values_list("key", flat=True))
    if they_finish:
        assert summary.shards_passed == 1 and summary.shards_swept == SHARDS - 1
        assert not queued & in_shard_0
    else:
        assert summary.shards_swept == SHARDS
        assert queued >= in_shard_0
    assert summary.queued == len(queued)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_sweeps_again_a_shard_swept_before_it_began():
    a_network(4)
    first = sweep(NOW)
    assert first.queued > 0
    Reminder.objects.all().delete()

    again = sweep(NOW)  # the same moment, but the reads recorded began before this sweep

    assert again.shards_swept == SHARDS and again.shards_passed == 0
    assert again.queued > 0

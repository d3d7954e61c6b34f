"""Today's groups and /api/v1/today read introduction steps a page at a time from the database
(COUNT and LIMIT on the next due date); paged through, they hold exactly what the whole
computation (due_items) finds, in the same order, with the same counts."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_user
from introloop.goals.models import Ask
from introloop.intros import lifecycle
from introloop.intros.models import Intro
from introloop.intros.services import Party
from introloop.intros.tests.factories import intro
from introloop.network.models import Contact
from introloop.network.tests.factories import contact
from introloop.reminders import services
from introloop.reminders.due import due_items_for
from introloop.reminders.models import Snooze
from introloop.reminders.today import KIND_ORDER, Upcoming

pytestmark = pytest.mark.django_db


def _many_kinds_of_due(user, now) -> None:
    """Introductions in every open state (as seeker and as connector), met ones whose two
    steps fall in different groups, asks, reconnects, and snoozes of some of each."""
    rng, today = random.Random(7), now.astimezone(user.zone).date()
    for n in range(45):
        at = now - timedelta(days=rng.uniform(0, 12), minutes=rng.randrange(600))
        start = rng.choice(["requested", "introduced", "met"])
        seeker = Party(f"Sam {n}", f"sam{n}@example.net") if n % 4 == 0 else None
        made = intro(user, start=start, at=at, now=at + timedelta(minutes=1), seeker=seeker,
                     target=Party(f"Tom {n}", f"tom{n}@example.org"),
                     double_opt_in=rng.random() < 0.5)  # fmt: skip
        if start == "met" and n % 3 == 0:
            # Closing the loop falls due before thanking: the stored next step is the loop's.
            made.rules = {**made.rules, "thank_days": 9, "close_loop_days": 1}
            lifecycle.refresh_next_step(made)
            made.save()
    for n in range(6):
        helper = contact(user, f"Helper {n}", emails=[f"helper{n}@example.org"])
        Ask.objects.create(owner=user, contact=helper, kind="advice", on=today - timedelta(9),
                           follow_up_on=today + timedelta(days=n - 3))  # fmt: skip
        friend = contact(user, f"Friend {n}", keep_in_touch_days=30)
        Contact.objects.filter(pk=friend.pk).update(reconnect_due_on=today + timedelta(n - 2))
    everything = due_items_for(user, now, days_ahead=7)
    for item in everything[::5]:
        services.snooze(user, item, "3", now)


def _groups_as_wholes(user, now) -> dict[str, list[str]]:
    items = due_items_for(user, now, days_ahead=7)
    today = now.astimezone(user.zone).date()
    overdue = sorted((i for i in items if i.overdue), key=lambda i: (KIND_ORDER[i.kind], i.order))
    return {
        "overdue": [i.key for i in overdue],
        "today": [i.key for i in items if not i.overdue and i.due_on == today],
        "week": [i.key for i in items if not i.overdue and i.due_on > today],
        "all": [i.key for i in items],
    }


def test_pages_of_each_group_hold_what_the_whole_computation_finds():
    alice, now = make_user("alice@example.com", "Alice Seeker"), timezone.now()
    _many_kinds_of_due(alice, now)
    wholes = _groups_as_wholes(alice, now)
    assert all(wholes[g] for g in ("overdue", "today", "week"))  # the data covers every group
    assert any(k.endswith(":thank") for k in wholes["all"])
    assert any(k.endswith(":close_loop") for k in wholes["all"])

    upcoming = Upcoming.read(alice, now)
    for group, keys in wholes.items():
        paged, offset = [], 0
        while True:
            count, page = upcoming.page(group, offset, 7)
            assert count == len(keys), group
            if not page:
                break
            paged += [i.key for i in page]
            offset += 7
        assert paged == keys, group


def test_snoozed_items_are_left_out_of_every_page():
    alice, now = make_user("alice@example.com", "Alice Seeker"), timezone.now()
    _many_kinds_of_due(alice, now)
    snoozed = set(Snooze.objects.filter(user=alice).values_list("key", flat=True))
    assert snoozed
    count, items = Upcoming.read(alice, now).page("all", 0, 500)
    assert not snoozed & {i.key for i in items}
    assert count == len(items) == len(due_items_for(alice, now, days_ahead=7))


def test_the_stored_step_columns_give_the_steps_of_the_whole_row():
    alice, now = make_user("alice@example.com", "Alice Seeker"), timezone.now()
    _many_kinds_of_due(alice, now)
    for row in Intro.objects.all():
        stored = lifecycle.stored_steps(row.state, row.next_step, row.next_due_at, row.met_at,
                                        row.rules)  # fmt: skip
        steps = lifecycle.next_steps(row)
        assert stored == steps, row.state
        assert row.later_due_at == (steps[1].due_at if len(steps) > 1 else None), row.state

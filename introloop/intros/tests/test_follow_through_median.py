"""The median days to reach out on the follow-through record comes from the database (on SQLite
and PostgreSQL alike) and is exactly what Python's statistics.median says of the same dates."""

import random
import statistics
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from introloop.intros import queries
from introloop.intros.models import Intro
from introloop.intros.services import Party

from .factories import intro

pytestmark = pytest.mark.django_db

# Introductions answered by each seeker: odd and even counts, one, and none.
ANSWERED = {"Ada": 1, "Ben": 2, "Cleo": 3, "Dev": 4, "Eve": 7, "Finn": 8, "Gus": 0}


def random_moment(rng: random.Random, start: datetime) -> datetime:
    """Some time up to 40 days later (or a little earlier, as a corrected time may be), with
    whole seconds now and then, and microseconds that SQLite's milliseconds would round up."""
    moment = start + timedelta(seconds=rng.uniform(-43_200, 40 * 86_400))
    return moment.replace(microsecond=rng.choice([0, 999_700, 500, rng.randrange(1_000_000)]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_matches_statistics_median_for_several_seekers(alice, seed):
    rng = random.Random(seed)
    now = timezone.now()
    days: dict[str, list[float]] = {}
    for name, answered in ANSWERED.items():
        seeker = Party(f"{name} Seeker", f"{name.lower()}@example.net")
        for n in range(answered + 1):  # one more, never introduced or not yet answered
            made = intro(
                alice, seeker=seeker, target=Party(f"Tom {name} {n}", f"tom.{name}{n}@example.org")
            )
            introduced_at = now - timedelta(days=rng.uniform(0, 300), microseconds=rng.random())
            reached_out_at = random_moment(rng, introduced_at) if n < answered else None
            Intro.objects.filter(pk=made.pk).update(
                introduced_at=introduced_at if n < answered or rng.random() < 0.5 else None,
                reached_out_at=reached_out_at,
            )
            if reached_out_at is not None:
                elapsed = (reached_out_at - introduced_at).total_seconds() / 86400
                days.setdefault(seeker.email, []).append(elapsed)

    records = queries.follow_through(Intro.objects.filter(created_by=alice))

    assert {r.seeker_email: r.median_days_to_reach_out for r in records} == {
        f"{name.lower()}@example.net": (
            round(statistics.median(days[f"{name.lower()}@example.net"]), 1) if answered else None
        )
        for name, answered in ANSWERED.items()
    }
    # Before rounding too, to the last bit.
    exact = queries._median_days_to_reach_out(Intro.objects.filter(created_by=alice))
    assert exact == {email: statistics.median(values) for email, values in days.items()}


def test_a_median_on_a_rounding_tie_rounds_as_python_does(alice):
    seeker = Party("Ada Seeker", "ada@example.net")
    introduced_at = timezone.now() - timedelta(days=10)
    for n, elapsed in enumerate([timedelta(days=2), timedelta(days=2, hours=12)]):
        made = intro(alice, seeker=seeker, target=Party(f"Tom {n}", f"tom{n}@example.org"))
        Intro.objects.filter(pk=made.pk).update(
            introduced_at=introduced_at, reached_out_at=introduced_at + elapsed
        )

    [record] = queries.follow_through(Intro.objects.filter(created_by=alice))

    assert record.median_days_to_reach_out == round(2.25, 1) == 2.2

"""Introductions benchmark: the introduction lists with 5,000 introductions between two people.

Run with `python3 run.py bench` (all benchmarks) or `.venv/bin/python bench/intros.py`.
Prints a Markdown table: each figure, and its ratio to a floor measured in the same run.

Floors: each page's own list query (a COUNT and 50 rows ordered by the next due date, with the
same filter) run with plain sqlite3 on the same database file, without Django.
"""

import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, timedelta
from pathlib import Path

INTROS = 5_000
SMALL = 60  # a second pair of accounts: the pages must run as many queries for these
BATCH = 1_000
LIST_RUNS = 30

WORK = Path(tempfile.mkdtemp(prefix="introloop-bench-"))
os.environ["INTROLOOP_DATA_DIR"] = str(WORK)
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "introloop.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from introloop.accounts.models import User  # noqa: E402
from introloop.intros import lifecycle  # noqa: E402
from introloop.intros.models import (  # noqa: E402
    DEFAULT_RULES,
    ENDED_STATES,
    Intro,
    IntroEvent,
    Role,
    State,
)

S = State
# How a large account's introductions are spread over the states (weights).
STATE_WEIGHTS = {
    S.REQUESTED: 4,
    S.ASKED: 4,
    S.ACCEPTED: 2,
    S.DECLINED: 5,
    S.INTRODUCED: 5,
    S.REACHED_OUT: 5,
    S.SCHEDULED: 3,
    S.MET: 3,
    S.THANKED: 4,
    S.LOOP_CLOSED: 45,
    S.WITHDRAWN: 10,
    S.DROPPED: 10,
}
# The milestones of the double opt-in path, in order.
OPT_IN_PATH = [
    "requested_at",
    "asked_at",
    "answered_at",
    "introduced_at",
    "reached_out_at",
    "met_at",
    "thanked_at",
    "closed_at",
]
# The milestones each state has passed, in order: most have come some way down that path.
PATHS = {
    S.REQUESTED: OPT_IN_PATH[:1],
    S.ASKED: OPT_IN_PATH[:2],
    S.ACCEPTED: OPT_IN_PATH[:3],
    S.DECLINED: OPT_IN_PATH[:3],
    S.INTRODUCED: OPT_IN_PATH[:4],
    S.REACHED_OUT: OPT_IN_PATH[:5],
    S.SCHEDULED: [*OPT_IN_PATH[:5], "scheduled_for"],
    S.MET: OPT_IN_PATH[:6],
    S.THANKED: OPT_IN_PATH[:7],
    S.LOOP_CLOSED: OPT_IN_PATH[:8],
    S.WITHDRAWN: ["requested_at", "ended_at"],
    S.DROPPED: [*OPT_IN_PATH[:4], "ended_at"],
}
ACTOR = {
    S.REQUESTED: Role.SEEKER,
    S.ASKED: Role.CONNECTOR,
    S.ACCEPTED: Role.TARGET,
    S.DECLINED: Role.TARGET,
    S.INTRODUCED: Role.CONNECTOR,
    S.WITHDRAWN: Role.SEEKER,
    S.DROPPED: Role.CONNECTOR,
}
GIVEN = ["Ada", "Ben", "Chloé", "Dev", "Elena", "Farah", "Grace", "Hugo", "Ines", "Jonas"]
FAMILY = ["Adeyemi", "Bauer", "Castillo", "Dubois", "García", "Haddad", "Ito", "Novak"]
PURPOSES = [
    "Learn how the product team works and whether they hire from consulting.",
    "Twenty minutes on what a senior PM role there really involves.",
    "Feedback on my portfolio from someone senior in design.",
    "Advice on moving into climate tech.",
]


def build_intro(rng: random.Random, n: int, seeker: User, connector: User, now) -> Intro:
    """One introduction in a realistic state, with its milestones and next step filled in."""
    state = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()))[0]
    path = PATHS[state]
    # Open introductions moved lately (some are overdue); ended ones any time in two years.
    last = now - timedelta(
        days=rng.uniform(0.1, 9) if state not in ENDED_STATES else rng.uniform(1, 700)
    )
    stamps, at = {}, last
    for field in reversed(path):
        stamps[field] = at
        at -= timedelta(hours=rng.uniform(6, 96))
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    intro = Intro(
        created_by=seeker,
        logged_as="seeker",
        connector_name=connector.name,
        connector_email=connector.email,
        connector_user=connector,
        seeker_name=seeker.name,
        seeker_email=seeker.email,
        seeker_user=seeker,
        target_name=f"{given} {family}",
        target_email=f"{given}.{family}{n}@example.com".lower(),
        purpose=rng.choice(PURPOSES),
        double_opt_in=True,
        rules=dict(DEFAULT_RULES),
        created_at=stamps["requested_at"],
    )
    lifecycle.start(intro, "requested", stamps["requested_at"])
    intro.state = state
    for field, value in stamps.items():
        setattr(intro, field, value)
    if state == S.SCHEDULED:
        # Booked a few days after the booking was made: some still ahead, some missed.
        intro.scheduled_for = stamps["scheduled_for"] + timedelta(days=rng.uniform(1, 6))
    if state == S.LOOP_CLOSED:
        intro.outcome = "They referred me for the role; first interview next week."
    if state == S.REACHED_OUT and rng.random() < 0.3:
        intro.follow_ups, intro.last_follow_up_at = 1, last
    steps = lifecycle.next_steps(intro)
    if steps:
        first = steps[0]
        intro.next_step, intro.next_owner, intro.next_due_at = first.step, first.owner, first.due_at
    else:
        intro.next_step, intro.next_owner, intro.next_due_at = "", "", None
    intro.updated_at = last
    return intro


def last_event(rng: random.Random, intro: Intro) -> IntroEvent:
    """The introduction's latest milestone as an event, with its on-time mark for seekers."""
    at = intro.updated_at  # the latest milestone
    role = ACTOR.get(intro.state, Role.SEEKER)
    on_time = rng.random() < 0.8 if role == Role.SEEKER else None
    return IntroEvent(
        intro=intro,
        type=intro.state,
        at=at,
        recorded_at=at,
        actor_role=role,
        actor_user_id=getattr(intro, f"{role}_user_id"),
        on_time=on_time,
        due_at=at + timedelta(days=1 if on_time else -1) if on_time is not None else None,
    )


def seed(count: int, tag: str, now) -> tuple[User, User]:
    """A seeker and a connector with `count` introductions between them, bulk-inserted."""
    seeker, connector = (
        User.objects.create_user(
            f"{role}-{tag}@example.com",
            "bench-password",
            name=f"{name} {tag}",
            email_verified_at=now,
        )
        for role, name in (("seeker", "Sam Seeker"), ("connector", "Cleo Connector"))
    )
    rng = random.Random(count)
    with transaction.atomic():
        for start in range(0, count, BATCH):
            intros = [
                build_intro(rng, n, seeker, connector, now)
                for n in range(start, min(start + BATCH, count))
            ]
            Intro.objects.bulk_create(intros)
            IntroEvent.objects.bulk_create([last_event(rng, intro) for intro in intros])
    return seeker, connector


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def query_count(client: Client, url: str) -> int:
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries)


def server_time(client: Client, url: str) -> tuple[float, int]:
    """Median time Django takes to answer `url`, and the number of SQL queries it runs."""
    queries = query_count(client, url)
    return median_time(lambda: client.get(url), LIST_RUNS), queries


LIST_COLUMNS = (
    "id, state, purpose, double_opt_in, seeker_name, seeker_user_id, connector_name, "
    "connector_user_id, target_name, target_user_id, created_by_id, next_step, next_owner, "
    "next_due_at, answered_at, updated_at"
)


def sql_floor(where: str, params: tuple) -> float:
    """The page's list query with plain sqlite3: a COUNT, and 50 rows by next due date."""
    db = sqlite3.connect(settings.DATABASES["default"]["NAME"])

    def run():
        db.execute(f"SELECT COUNT(*) FROM intros_intro WHERE {where}", params).fetchone()
        rows = db.execute(
            f"SELECT {LIST_COLUMNS} FROM intros_intro WHERE {where} "
            "ORDER BY next_due_at ASC NULLS LAST, updated_at DESC, id DESC LIMIT 50",
            params,
        ).fetchall()
        assert rows

    result = median_time(run, LIST_RUNS)
    db.close()
    return result


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # as `introloop serve` does
    now = timezone.now()
    start = time.perf_counter()
    seeker, connector = seed(INTROS, "large", now)
    seeded = time.perf_counter() - start
    small_seeker, small_connector = seed(SMALL, "small", now)
    rows, same_counts = measure_pages(now, seeker, connector, small_seeker, small_connector)
    print_report(rows, seeded, same_counts)


def measure_pages(
    now, seeker: User, connector: User, small_seeker: User, small_connector: User
) -> tuple[list, bool]:
    """Each list page's row and its floor's, for the seeker and connector with many
    introductions; and whether the pages run as many queries for the pair with few."""
    pages = [
        ("My introductions, open, as the seeker", "/intros/", seeker, small_seeker),
        (
            "Introductions I made, open, as the connector",
            "/intros/made/",
            connector,
            small_connector,
        ),
        ("My introductions, overdue", "/intros/?state=overdue", seeker, small_seeker),
        ("My introductions, all", "/intros/?state=all", seeker, small_seeker),
    ]
    ended = ", ".join(f"'{s}'" for s in sorted(ENDED_STATES))
    stamp = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    floors = [
        ("seeker_user_id = ? AND state NOT IN ({ended})", (seeker.id,)),
        ("connector_user_id = ? AND state NOT IN ({ended})", (connector.id,)),
        ("seeker_user_id = ? AND next_due_at < ?", (seeker.id, stamp)),
        ("seeker_user_id = ?", (seeker.id,)),
    ]
    rows, same_counts = [], True
    for (label, url, user, small_user), (where, params) in zip(pages, floors, strict=True):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        taken, queries = server_time(client, url)
        small_client = Client(HTTP_HOST="127.0.0.1")
        small_client.force_login(small_user)
        same_counts &= query_count(small_client, url) == queries
        floor = sql_floor(where.format(ended=ended), params)
        rows.append((f"{label} (`{url}`, {queries} queries)", taken, floor, "< 100 ms"))
        rows.append(("Floor: that list's SQL with plain sqlite3", floor, floor, ""))
    return rows, same_counts


def print_report(rows: list, seeded: float, same_counts: bool) -> None:
    print(
        f"Introductions benchmark: {INTROS:,} introductions between one seeker and one "
        f"connector (bulk-inserted in {seeded:.1f} s), SQLite {sqlite3.sqlite_version}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; medians of {LIST_RUNS} "
        "page loads.\n"
    )
    print("| figure | time | ratio to floor | target |")
    print("|---|---:|---:|---|")
    for label, seconds_taken, floor_value, target in rows:
        if seconds_taken >= 0.1:
            shown = f"{seconds_taken * 1000:,.0f} ms"
        else:
            shown = f"{seconds_taken * 1000:.1f} ms"
        print(f"| {label} | {shown} | {seconds_taken / floor_value:.1f}× | {target} |")
    ok = same_counts and all(taken < 0.1 for _, taken, _, target in rows if target)
    print(
        f"\nQuery counts {'are the same' if same_counts else 'DIFFER'} with {SMALL} introductions."
    )
    print(f"\nTargets {'met' if ok else 'NOT met'}.")
    print(
        "\nEach floor runs the page's own list query with plain sqlite3 on the same database "
        "file: a COUNT of the matching introductions and the first 50 rows, with the same "
        "filter and order (next due date first), without Django. Page times are server time in "
        "process (session, queries, template), with a warm connection. Beyond its list, each "
        "page builds the follow-through record, aggregated in the database over all of the "
        "account's introductions, the median days to reach out included (three queries): "
        "that, not the list, is most of the ratio."
    )


if __name__ == "__main__":
    main()

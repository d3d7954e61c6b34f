"""Reminder sweep benchmark: one sweep with the same 10,000 due steps among 100,000 and then
1,000,000 introductions across 50,000 users, on SQLite and, when it is reachable, PostgreSQL.

Run with `python3 run.py bench` (all benchmarks) or `.venv/bin/python bench/reminders.py`.
Prints a Markdown table: each figure on each database, and its target.

The script measures each database in a subprocess of its own (it runs itself again with
BENCH_REMINDERS_DB set), because Django reads DATABASE_URL once, at setup: SQLite in a fresh
file in a temporary data directory; PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth) in
a database of its own, `introloop_bench_reminders`, created and dropped here.

Workers: 1, 2 and 3 `introloop remind --as-of <the same moment>` processes at once, at the
100,000 size, each time on a clean reminder and outbox state. Each process starts up (Django,
the URLconf), waits for a common start signal, then runs the command; the wall time is from
the first process's start to the last one's end, and the ratio is to one process's.

Floor: the rows the sweep starts from, `SELECT * FROM intros_intro WHERE next_due_at <= …`,
fetched with the raw DB-API cursor on the same connection: the cost of merely reading the due
work, without Django.
"""

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zoneinfo
from datetime import UTC, datetime, timedelta
from pathlib import Path

USERS = 50_000
SMALL = 100_000
LARGE = 1_000_000
DUE = 10_000  # due steps, the same rows at both sizes
OWNERS = 8_000  # distinct users with an account who own the due steps
OUTCOMES = 200  # loops closed in the last two weeks: their connectors hear what came of it
BATCH = 50_000
SWEEPS = 5  # sweeps per size, each on a clean reminder and outbox state; the median is shown (the
# machines are noisy: single sweeps of the same work vary by ±15%)
FLOOR_RUNS = 5
TARGET_SECONDS = 3.0
TARGET_RATIO = 1.5
WORKERS = (1, 2, 3)  # `remind` processes at once
WORKER_RUNS = 3  # runs of each, the median shown
TARGET_WORKERS = 0.7  # 2 or 3 processes ÷ 1, past start-up
# One `remind` process for the workers' figure: start up, wait for the signal, sweep, and print
# when the sweep began and ended (the command's own JSON summary comes first).
SWEEPER = """
import json, sys, time
import django
django.setup()
from django.core.management import call_command
from django.urls import get_resolver
get_resolver().url_patterns
ready = time.time()
time.sleep(max(0.0, float(sys.argv[1]) - ready))
begin = time.time()
call_command("remind", "--as-of", sys.argv[2], "--json")
print(json.dumps({"ready": ready, "begin": begin, "end": time.time()}))
"""
# A fixed moment makes the run repeatable: at 18:30 UTC in June, the zones west of UTC+4 are
# past a digest hour of 7 to 9, Kolkata has just turned midnight, and Asia and the Pacific are
# still asleep (Tonga at 07:30 only for digest hour 7).
NOW = datetime(2025, 6, 11, 18, 30, tzinfo=UTC)
ZONES = [
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Pacific/Tongatapu",
]
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
PG_DB = "introloop_bench_reminders"
DB_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

CHILD = os.environ.get("BENCH_REMINDERS_DB")  # set in the subprocess measuring one database
WORK = Path(tempfile.mkdtemp(prefix="introloop-bench-"))
os.environ["INTROLOOP_DATA_DIR"] = str(WORK)
if CHILD != "postgresql":
    os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "introloop.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from introloop.bulk import insert_rows  # noqa: E402
from introloop.intros import lifecycle  # noqa: E402
from introloop.intros.models import Intro  # noqa: E402
from introloop.reminders.models import Reminder  # noqa: E402
from introloop.reminders.sweep import sweep  # noqa: E402

GIVEN = [
    "Ada",
    "Ben",
    "Chloé",
    "Dev",
    "Elena",
    "Farah",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Olu",
    "Priya",
]
FAMILY = [
    "Adeyemi",
    "Bauer",
    "Castillo",
    "Dubois",
    "García",
    "Haddad",
    "Ito",
    "Novak",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Sato",
]
PURPOSES = [
    "Learn how the product team works and whether they hire from consulting.",
    "Twenty minutes on what a senior PM role there really involves.",
    "Feedback on my portfolio from someone senior in design.",
    "Advice on moving into climate tech.",
]
MILESTONES = (
    "requested_at",
    "asked_at",
    "answered_at",
    "introduced_at",
    "reached_out_at",
    "last_follow_up_at",
    "scheduled_for",
    "met_at",
    "thanked_at",
    "closed_at",
    "ended_at",
)
INTRO_COLUMNS = (
    "id",
    "created_by_id",
    "connector_name",
    "connector_email",
    "connector_user_id",
    "seeker_name",
    "seeker_email",
    "seeker_user_id",
    "target_name",
    "target_email",
    "target_user_id",
    "purpose",
    "double_opt_in",
    "state",
    "outcome",
    "follow_ups",
    *MILESTONES,
    "next_step",
    "next_owner",
    "next_due_at",
    "rules",
    "version",
    "created_at",
    "updated_at",
    "checkin_sent_at",
    "logged_as",
    "clock_at",
    "connector_asked_at",
    "target_email_by_connector",
    "target_company",
    "target_url",
    "seeker_about",
    "seeker_brief_url",
)
CHECKIN_AFTER = timedelta(days=7)
USER_COLUMNS = (
    "id",
    "password",
    "is_superuser",
    "email",
    "name",
    "time_zone",
    "email_verified_at",
    "is_active",
    "is_staff",
    "date_joined",
)
SETTINGS_COLUMNS = (
    "id",
    "user_id",
    "digest_enabled",
    "digest_hour",
    "escalations_enabled",
    "outcomes_enabled",
    "escalation_grace_days",
    "calendar_token",
)
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
    "requested": OPT_IN_PATH[:1],
    "asked": OPT_IN_PATH[:2],
    "declined": OPT_IN_PATH[:3],
    "introduced": OPT_IN_PATH[:4],
    "reached_out": OPT_IN_PATH[:5],
    "scheduled": OPT_IN_PATH[:5],
    "loop_closed": OPT_IN_PATH[:8],
    "withdrawn": ["requested_at", "ended_at"],
    "dropped": [*OPT_IN_PATH[:4], "ended_at"],
}
# Introductions that are not due: mostly ended (no next step), the open ones due in more than
# two days, beyond any time zone's "today" (weight, state, days since the last milestone).
NOT_DUE = [
    (35, "loop_closed", 30, 700),
    (10, "declined", 5, 700),
    (10, "withdrawn", 5, 700),
    (15, "dropped", 5, 700),
    (6, "requested", 0.01, 0.9),
    (8, "asked", 0.01, 4.9),
    (8, "reached_out", 0.01, 2.9),
    (8, "scheduled", 0.01, 5),
]
# The due steps (how many, state, step, owner, days from the milestone to the due date);
# the owner of the last two kinds has no account, so they get a nudge instead of a digest.
DUE_KINDS = [
    (7_000, "introduced", "reach_out", "seeker", 2),
    (1_500, "reached_out", "follow_up", "seeker", 5),
    (1_000, "requested", "ask_target", "connector", 5),
    (300, "asked", "answer", "target", 7),
    (200, "introduced", "reach_out", "guest-seeker", 2),
]
NOW_UTC = NOW.replace(tzinfo=None)
DAY = timedelta(days=1)


def say(message: str) -> None:
    print(f"bench/reminders.py [{CHILD or 'main'}]: {message}", file=sys.stderr, flush=True)


def to_db(value: datetime | None):
    """A naive UTC datetime as Django stores it: text on SQLite, timestamptz on PostgreSQL."""
    if value is None:
        return None
    return str(value) if connection.vendor == "sqlite" else value.replace(tzinfo=UTC)


def person(user_id: int) -> tuple[str, str]:
    return (
        f"{GIVEN[user_id % len(GIVEN)]} {FAMILY[user_id % len(FAMILY)]}",
        f"user{user_id}@example.com",
    )


def intro_row(
    n: int,
    state: str,
    stamps: dict,
    seeker: int | None,
    connector: int,
    target: int | None,
    step: tuple = ("", "", None),
    **extra,
) -> tuple:
    """One intros_intro row, in INTRO_COLUMNS order."""
    if seeker:
        seeker_name, seeker_email = person(seeker)
    else:
        seeker_name, seeker_email = f"Guest {n}", f"guest{n}@example.net"
    connector_name, connector_email = person(connector)
    if target:
        target_name, target_email = person(target)
    else:
        target_name = f"{GIVEN[n % len(GIVEN)]} {FAMILY[n % len(FAMILY)]}"
        target_email = f"target{n}@example.org"
    last = max(v for k, v in stamps.items() if k != "scheduled_for")
    # In a steady state, the target of every introduction over a week old was asked already
    # whether the seeker got in touch (the sweep does it the minute the week is over).
    introduced = stamps.get("introduced_at")
    checked_in = introduced + CHECKIN_AFTER if introduced else None
    checked_in = checked_in if checked_in and checked_in <= NOW_UTC else None
    return (
        n,
        seeker or connector,
        connector_name,
        connector_email,
        connector,
        seeker_name,
        seeker_email,
        seeker,
        target_name,
        target_email,
        target,
        PURPOSES[n % len(PURPOSES)],
        True,
        state,
        extra.get("outcome", ""),
        extra.get("follow_ups", 0),
        *(to_db(stamps.get(m)) for m in MILESTONES),
        step[0],
        step[1],
        to_db(step[2]),
        "{}",
        0,
        to_db(stamps["requested_at"]),
        to_db(last),
        to_db(checked_in),
        "seeker" if seeker else "connector",  # logged by its creator, in that part
        to_db(last),  # each step recorded when it happened: no introduction logged late
        # In a steady state, the connector of every request was told the minute it was made.
        to_db(stamps["requested_at"]),
        False,
        "",
        "",
        "",
        "",
    )


def milestones(rng: random.Random, state: str, last: datetime) -> dict:
    """The state's milestones, the latest at `last`, each earlier one 6 to 96 hours before."""
    stamps, at = {}, last
    for field in reversed(PATHS[state]):
        stamps[field] = at
        at -= timedelta(hours=rng.uniform(6, 96))
    return stamps


def not_due_row(rng: random.Random, n: int) -> tuple:
    """An introduction that is over, or whose next step is due in more than two days."""
    _, state, low, high = rng.choices(NOT_DUE, weights=[w[0] for w in NOT_DUE])[0]
    stamps = milestones(rng, state, NOW_UTC - DAY * rng.uniform(low, high))
    seeker = rng.randint(1, USERS)
    connector = seeker % USERS + 1
    target = rng.randint(1, USERS) if rng.random() < 0.1 else None
    extra = {}
    if state == "requested":
        step = ("ask_target", "connector", stamps["requested_at"] + 5 * DAY)
    elif state == "asked":
        step = ("answer", "target", stamps["asked_at"] + 7 * DAY)
    elif state == "reached_out":
        step = ("follow_up", "seeker", stamps["reached_out_at"] + 5 * DAY)
    elif state == "scheduled":
        stamps["scheduled_for"] = NOW_UTC + DAY * rng.uniform(1.2, 20)
        step = ("meet", "seeker", stamps["scheduled_for"] + DAY)
    else:
        step = ("", "", None)
        if state == "loop_closed":
            extra["outcome"] = "They referred me for the role; first interview next week."
    return intro_row(n, state, stamps, seeker, connector, target, step, **extra)


def ready_users(rng: random.Random) -> tuple[list[tuple], list[tuple], list[int]]:
    """Users, their notification settings, and those whose digest hour has come at NOW."""
    password = make_password("bench-password")
    users, prefs, ready = [], [], []
    verified = to_db(NOW_UTC - 200 * DAY)
    for user_id in range(1, USERS + 1):
        zone = ZONES[rng.randrange(len(ZONES))]
        hour = rng.choice((7, 8, 8, 8, 9))
        name, email = person(user_id)
        users.append((user_id, password, False, email, name, zone, verified, True, False, verified))
        prefs.append((user_id, user_id, True, hour, True, True, 3, f"bench-{user_id}"))
        if NOW.astimezone(zoneinfo.ZoneInfo(zone)).hour >= hour:
            ready.append(user_id)
    return users, prefs, ready


def due_plan(rng: random.Random, ready: list[int]) -> tuple[list[tuple], dict[str, int]]:
    """The 10,000 due rows and 200 recent outcomes, at ids within the first 100,000; and what
    one sweep should queue for them."""
    ids = rng.sample(range(1, SMALL + 1), DUE + OUTCOMES)
    owners = rng.sample(ready, OWNERS)
    with_account = sum(kind[0] for kind in DUE_KINDS if kind[3] in ("seeker", "connector"))
    owned = owners + [rng.choice(owners) for _ in range(with_account - OWNERS)]
    rng.shuffle(owned)
    rows, expected = [], {"digest": OWNERS, "nudge": 0, "escalation": 0, "outcome": OUTCOMES}
    position = 0
    for count, state, step, owner, days in DUE_KINDS:
        for _ in range(count):
            n = ids[position]
            position += 1
            # Most are a little late, one in five more than the three days before a heads-up.
            late = rng.uniform(0.05, 2.95) if rng.random() < 0.8 else rng.uniform(3.05, 9)
            due_at = NOW_UTC - DAY * late
            stamps = milestones(rng, state, due_at - DAY * days)
            if owner == "seeker":
                seeker = owned.pop()
            elif owner == "guest-seeker":
                seeker = None
            else:
                seeker = rng.randint(1, USERS)
            connector = owned.pop() if owner == "connector" else rng.randint(1, USERS)
            if connector == seeker:
                if owner == "connector":
                    seeker = seeker % USERS + 1
                else:
                    connector = connector % USERS + 1
            role = "seeker" if owner == "guest-seeker" else owner
            rows.append(intro_row(n, state, stamps, seeker, connector, None, (step, role, due_at)))
            if owner in ("target", "guest-seeker"):
                expected["nudge"] += 1
            if step == "reach_out" and late >= 3:
                expected["escalation"] += 1
    for n in ids[DUE:]:
        stamps = milestones(rng, "loop_closed", NOW_UTC - DAY * rng.uniform(0.1, 13))
        seeker = rng.randint(1, USERS)
        rows.append(
            intro_row(
                n,
                "loop_closed",
                stamps,
                seeker,
                seeker % USERS + 1,
                None,
                outcome="We met; I start in the data team next month.",
            )
        )
    return rows, expected


def insert(table: str, columns: tuple, rows) -> None:
    """Bulk-insert rows in one transaction, as Introloop itself does (introloop.bulk)."""
    with transaction.atomic():
        insert_rows(table, columns, rows)


def bulk_load(load) -> float:
    """Run `load` with the bulk-load settings (setup only), then reconnect with the app's own:
    the measured sweeps run on a connection exactly as Introloop opens it."""
    start = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")
        else:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET session_replication_role = replica")  # no FK triggers
            cursor.execute("SET maintenance_work_mem = '512MB'")
    load()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("accounts_user", "reminders_notificationsettings", "intros_intro"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            # What autovacuum does shortly after a bulk load: statistics, visibility map.
            cursor.execute("VACUUM ANALYZE")
    connection.close()
    return time.perf_counter() - start


def load_not_due(rng: random.Random, first: int, last: int) -> None:
    for start in range(first, last + 1, BATCH):
        stop = min(start + BATCH, last + 1)
        insert("intros_intro", INTRO_COLUMNS, [not_due_row(rng, n) for n in range(start, stop)])


def reset_reminders() -> None:
    """Forget every reminder queued, so the next sweep starts from a clean state."""
    tables = ("outbox_message", "reminders_reminder", "intros_actionlink")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def timed_sweep() -> tuple[float, object, int]:
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        summary = sweep(NOW)
        taken = time.perf_counter() - start
    return taken, summary, len(queries)


def floor_time() -> tuple[float, int]:
    """The due rows read with the raw DB-API cursor: the sweep's starting point, bare."""
    connection.ensure_connection()
    mark = "?" if connection.vendor == "sqlite" else "%s"
    horizon = to_db(NOW_UTC + DAY)  # as collect() reads: anyone's "today" ends within a day
    times, found = [], 0
    for _ in range(FLOOR_RUNS):
        cursor = connection.connection.cursor()
        start = time.perf_counter()
        cursor.execute(f"SELECT * FROM intros_intro WHERE next_due_at <= {mark}", (horizon,))
        found = len(cursor.fetchall())
        times.append(time.perf_counter() - start)
        cursor.close()
    return statistics.median(times), found


def measure(expected: dict[str, int]) -> dict:
    floor, found = floor_time()
    times = []
    for _ in range(SWEEPS):
        reset_reminders()
        taken, summary, queries = timed_sweep()
        times.append(taken)
        kinds = dict(Reminder.objects.values_list("kind").annotate(n=Count("id")))
        assert summary.due == DUE, summary.as_dict()
        assert kinds == expected, (kinds, expected)
        assert summary.queued == sum(expected.values()), summary.as_dict()
    rerun, again, rerun_queries = timed_sweep()
    # Nudges sent less than two days ago are not even candidates; the rest hit their keys.
    skipped = summary.queued - expected["nudge"]
    assert again.queued == 0 and again.skipped_already_sent == skipped, again.as_dict()
    return {
        "sweep": statistics.median(times),
        "sweeps": times,
        "queries": queries,
        "rerun": rerun,
        "rerun_queries": rerun_queries,
        "floor": floor,
        "floor_rows": found,
        "due": summary.due,
        "queued": summary.queued,
        "kinds": kinds,
        "skipped": again.skipped_already_sent,
    }


def concurrent_sweeps(workers: int) -> dict:
    """`workers` remind processes at once on a clean state: wall time past start-up, and
    that together they queued each reminder once."""
    reset_reminders()
    connection.close()  # the processes open their own connections
    go = time.time() + 2.0 + 1.5 * workers  # time for them all to start up on a busy machine
    processes = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", SWEEPER, str(go), NOW.isoformat()],
            cwd=Path(__file__).resolve().parents[1],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    runs = []
    for process in processes:
        out, _ = process.communicate(timeout=600)
        assert process.returncode == 0, out
        summary, times = (json.loads(line) for line in out.strip().splitlines()[-2:])
        runs.append({**summary, **times})
    late = max(run["ready"] for run in runs) - go
    if late > 0:
        say(f"{workers} workers: one started up {late:.1f} s after the signal")
    queued = sum(run["queued"] for run in runs)
    assert Reminder.objects.count() == queued, (Reminder.objects.count(), queued)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM outbox_message")
        assert cursor.fetchone()[0] == queued
    return {
        "wall": max(run["end"] for run in runs) - min(run["begin"] for run in runs),
        "queued": queued,
        "each": [run["queued"] for run in runs],
    }


def measure_workers() -> dict:
    """Each number of processes WORKER_RUNS times, interleaved; medians of the wall times."""
    walls: dict[int, list[float]] = {n: [] for n in WORKERS}
    queued = {}
    for _ in range(WORKER_RUNS):
        for n in WORKERS:
            run = concurrent_sweeps(n)
            walls[n].append(run["wall"])
            queued[n] = run["queued"]
            say(f"{n} remind processes: {run['wall']:.2f} s, queued {run['each']}")
    assert len(set(queued.values())) == 1, queued
    return {str(n): statistics.median(times) for n, times in walls.items()} | {
        "walls": {str(n): times for n, times in walls.items()},
        "queued": queued[1],
    }


def check_next_steps(rng: random.Random) -> None:
    """The generated next steps are the lifecycle's own, on a sample of 2,000 rows."""
    sample = rng.sample(range(1, LARGE + 1), 2_000)
    for intro in Intro.objects.filter(id__in=sample):
        steps = lifecycle.next_steps(intro)
        first = (steps[0].step, steps[0].owner, steps[0].due_at) if steps else ("", "", None)
        assert first == (intro.next_step, intro.next_owner, intro.next_due_at), intro.id


def measure_database() -> dict:
    call_command("migrate", verbosity=0)
    rng = random.Random(5)
    start = time.perf_counter()
    users, prefs, ready = ready_users(rng)
    due_rows, expected = due_plan(rng, ready)
    due_ids = {row[0] for row in due_rows}

    def load_small():
        insert("accounts_user", USER_COLUMNS, users)
        insert("reminders_notificationsettings", SETTINGS_COLUMNS, prefs)
        filler = (n for n in range(1, SMALL + 1) if n not in due_ids)
        rows = [*due_rows, *(not_due_row(rng, n) for n in filler)]
        rows.sort()
        for first in range(0, len(rows), BATCH):
            insert("intros_intro", INTRO_COLUMNS, rows[first : first + BATCH])

    bulk_load(load_small)
    setup_small = time.perf_counter() - start
    say(f"{USERS:,} users and {SMALL:,} introductions inserted in {setup_small:.1f} s")
    small = measure(expected)
    say(f"sweep at {SMALL:,}: {small['sweeps']}")
    workers = measure_workers()

    grow = bulk_load(lambda: load_not_due(rng, SMALL + 1, LARGE))
    say(f"grown to {LARGE:,} introductions in {grow:.1f} s")
    check_next_steps(rng)
    large = measure(expected)
    say(f"sweep at {LARGE:,}: {large['sweeps']}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM intros_intro")
        assert cursor.fetchone()[0] == LARGE
        cursor.execute(
            "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version"
        )
        version = cursor.fetchone()[0].split()[0]
    return {
        "version": version,
        "setup_small": setup_small,
        "grow": grow,
        "small": small,
        "large": large,
        "workers": workers,
    }


# --- The parent: one subprocess per database, one table --------------------------------------


def postgres_admin():
    """A connection to the PostgreSQL server's maintenance database, or None if unreachable."""
    try:
        import psycopg

        return psycopg.connect(
            host=PG_HOST,
            port=PG_PORT,
            user=PG_USER,
            dbname="postgres",
            connect_timeout=3,
            autocommit=True,
        )
    except Exception as error:
        say(f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT} ({error}); SQLite only")
        return None


def run_child(db: str, env: dict) -> dict:
    say(f"measuring {DB_LABELS[db]}")
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(Path(__file__).resolve())],
        env={**os.environ, **env, "BENCH_REMINDERS_DB": db},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def shown(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:,.0f} ms"


def sweep_ratio(run: dict) -> float:
    """How much longer the sweep takes among the large number of introductions."""
    return run["large"]["sweep"] / run["small"]["sweep"]


def worker_ratio(run: dict, workers: int) -> float:
    """How long `workers` remind processes at once take, past start-up, against one."""
    return run["workers"][str(workers)] / run["workers"]["1"]


def report(results: dict, total: float) -> None:
    dbs = [db for db in DB_LABELS if db in results]
    cell = {db: results[db] for db in dbs}
    any_run = next(iter(cell.values()))
    kinds = any_run["large"]["kinds"]
    versions = ", ".join(f"{DB_LABELS[db]} {cell[db]['version']}" for db in dbs)
    print(
        f"Reminder sweep benchmark: {USERS:,} users in {len(ZONES)} time zones, "
        f"{SMALL:,} then {LARGE:,} introductions with the same {DUE:,} steps due; "
        f"{versions}, Python {sys.version.split()[0]}, {os.cpu_count()} cores; sweeps are "
        f"medians of {SWEEPS}, each on a clean reminder and outbox state.\n"
    )
    print_table(cell)
    ok = all(
        cell[db][key]["sweep"] < TARGET_SECONDS and sweep_ratio(cell[db]) <= TARGET_RATIO
        for db in dbs
        for key in ("small", "large")
    ) and all(
        worker_ratio(cell["postgresql"], n) <= TARGET_WORKERS
        for n in WORKERS[1:]
        if "postgresql" in cell
    )
    missing = [DB_LABELS[db] for db in DB_LABELS if db not in results]
    print(
        f"\nEach sweep queued {any_run['large']['queued']:,} reminders: "
        f"{kinds.get('digest', 0):,} digests (one per user with something due whose local "
        f"digest hour has come), {kinds.get('nudge', 0):,} nudges to people without an "
        f"account, {kinds.get('escalation', 0):,} heads-ups to connectors (seeker 3+ days "
        f"late) and {kinds.get('outcome', 0):,} outcomes; the re-run queued none."
    )
    print(
        f"\nWorkers: {', '.join(map(str, WORKERS))} `introloop remind --as-of` processes at "
        f"once at {SMALL:,} introductions, medians of {WORKER_RUNS} runs, each on a clean "
        "state; together they queued each reminder once. The target (2 or 3 processes ≤ "
        f"{TARGET_WORKERS}× one) is PostgreSQL's, where a sweep is split into shards that "
        "workers claim with row locks; on SQLite, which writes one transaction at a time, a "
        "sweep is one pass and the figure is for information."
    )
    print(
        f"\nTargets {'met' if ok else 'NOT met'}"
        + (f" ({', '.join(missing)} not reachable, not measured)." if missing else ".")
    )
    print(
        "\nThe introductions are bulk-inserted (COPY on PostgreSQL, executemany on SQLite), then "
        "VACUUM ANALYZE on PostgreSQL, as autovacuum would; SQLite runs as Introloop opens it, "
        f"without ANALYZE. The same {DUE:,} due rows (and {OUTCOMES} loops closed this fortnight) "
        f"sit among the first {SMALL:,}; the other introductions are over or due in more than "
        "two days. A sweep finds its work through the index on the next due date, composes "
        "each email and queues it in the outbox with its dedupe key, in batches of 2,000, each "
        "one transaction (SMTP delivery is not part of it). The floor is the first query of "
        "the sweep alone, its rows fetched with the database driver's own cursor; the rest of "
        "the sweep's time is Python: building model instances, grouping due items per user, "
        "composing and signing each email, and the inserts. "
        f"Whole run: {total / 60:.1f} min."
    )


def print_table(cell: dict) -> None:
    """One row per figure, one column per database measured."""
    dbs = list(cell)
    any_run = next(iter(cell.values()))
    print(f"| figure | {' | '.join(DB_LABELS[db] for db in dbs)} | target |")
    print(f"|---|{'---:|' * len(dbs)}---|")

    def row(label: str, values: list[str], target: str = "") -> None:
        print(f"| {label} | {' | '.join(values)} | {target} |")

    for size, key in ((SMALL, "small"), (LARGE, "large")):
        row(
            f"Sweep, {size:,} introductions ({DUE:,} due, {any_run[key]['queued']:,} queued)",
            [f"{shown(cell[db][key]['sweep'])} ({cell[db][key]['queries']} queries)" for db in dbs],
            f"< {TARGET_SECONDS:.0f} s",
        )
    row(
        f"Ratio {LARGE:,} ÷ {SMALL:,}",
        [f"{sweep_ratio(cell[db]):.2f}×" for db in dbs],
        f"≤ {TARGET_RATIO}×",
    )
    large = {db: cell[db]["large"] for db in dbs}
    row(
        f"Re-run right after, {LARGE:,} ({any_run['large']['skipped']:,} already queued, "
        "nudges not due again for 2 days)",
        [f"{shown(large[db]['rerun'])} ({large[db]['rerun_queries']} queries)" for db in dbs],
    )
    for size, key in ((SMALL, "small"), (LARGE, "large")):
        row(
            f"Floor: the {any_run[key]['floor_rows']:,} due rows read, raw cursor, {size:,}",
            [shown(cell[db][key]["floor"]) for db in dbs],
        )
    row(
        f"Sweep ÷ floor, {LARGE:,}",
        [f"{large[db]['sweep'] / large[db]['floor']:.0f}×" for db in dbs],
    )
    for n in WORKERS:
        target = f"≤ {TARGET_WORKERS}× one (PostgreSQL)" if n > 1 else ""
        row(
            f"{n} `remind` process{'es' * (n > 1)} at once, {SMALL:,}: wall past start-up"
            + (", ratio to one" if n > 1 else ""),
            [
                shown(cell[db]["workers"][str(n)])
                + (f" ({worker_ratio(cell[db], n):.2f}×)" if n > 1 else "")
                for db in dbs
            ],
            target,
        )
    row(
        f"Setup (information): {USERS:,} users + {SMALL:,} introductions, then grown to {LARGE:,}",
        [f"{cell[db]['setup_small']:.0f} s + {cell[db]['grow']:.0f} s" for db in dbs],
    )


def main() -> None:
    if CHILD:
        try:
            print(json.dumps(measure_database()))
        finally:
            connection.close()
            shutil.rmtree(WORK, ignore_errors=True)
        return
    start = time.perf_counter()
    results = {"sqlite": run_child("sqlite", {})}
    admin = postgres_admin()
    if admin is not None:
        with admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {PG_DB}")
            try:
                url = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DB}"
                results["postgresql"] = run_child("postgresql", {"DATABASE_URL": url})
            finally:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    shutil.rmtree(WORK, ignore_errors=True)
    report(results, time.perf_counter() - start)


if __name__ == "__main__":
    main()

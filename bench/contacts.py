"""Contacts benchmark: importing a 20,000-row LinkedIn export, and the contact list.

Run with `python3 run.py bench` (all benchmarks) or `.venv/bin/python bench/contacts.py`.
Prints a Markdown table: each figure, and its ratio to a floor measured in the same run.

Floors:
- import: the same Connections.csv parsed with the csv module and inserted with plain sqlite3
  `executemany` into an equivalent table (Introloop's own contact and email tables, created from
  its migrations, with the same indexes), in one transaction;
- list and search: the same page's rows and count fetched with plain sqlite3 from the same
  database file, without Django.
"""

import csv
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROWS = 20_000
CONTACT_COLUMNS = (
    "owner_id",
    "uid",
    "merged_uids",
    "full_name",
    "given_name",
    "family_name",
    "phones",
    "linkedin_url",
    "company",
    "title",
    "industry",
    "location",
    "how_we_met",
    "how_they_can_help",
    "strength",
    "notes",
    "keep_in_touch_days",
    "source",
    "connected_on",
    "birthday",
    "created_at",
    "updated_at",
    "name_key",
    "search_text",
    "reconnect_due_on",
)
REPEAT = 3
LIST_RUNS = 30

WORK = Path(tempfile.mkdtemp(prefix="introloop-bench-"))
os.environ["INTROLOOP_DATA_DIR"] = str(WORK)
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "introloop.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django  # noqa: E402

django.setup()

from _people import COMPANIES, linkedin_export  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from introloop.accounts.models import User  # noqa: E402
from introloop.goals.models import Goal  # noqa: E402
from introloop.goals.suggestions import suggestions  # noqa: E402
from introloop.network.importers.detect import parse_upload  # noqa: E402
from introloop.network.imports import apply_import  # noqa: E402


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor_import(data: bytes, schema: list[str]) -> float:
    """csv module + sqlite3 executemany into Introloop's own contact and email tables."""
    path = WORK / "floor.sqlite3"
    times = []
    for _ in range(REPEAT):
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        for statement in schema:
            db.execute(statement)
        start = time.perf_counter()
        floor_write(db, *floor_rows(data))
        times.append(time.perf_counter() - start)
        db.close()
    return statistics.median(times)


def floor_rows(data: bytes) -> tuple[list[tuple], list[tuple]]:
    """The export's contact and email rows, read with the csv module alone."""
    text = data.decode("utf-8")
    lines = text.splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("First Name"))
    rows = list(csv.reader(lines[header_at + 1 :]))
    stamp = "2026-01-01 00:00:00"
    contacts, emails = [], []
    for n, (first, last, url, email, company, position, connected) in enumerate(rows, 1):
        name = f"{first} {last}"
        contacts.append(
            (
                1,
                f"uid-{n}",
                "[]",
                name,
                first,
                last,
                "[]",
                url,
                company,
                position,
                "",
                "",
                "",
                "",
                "",
                "",
                None,
                "linkedin",
                connected,
                "",
                stamp,
                stamp,
                name.lower(),
                name.lower(),
                None,
            )
        )
        if email:
            emails.append((1, n, email, "", 0))
    return contacts, emails


def floor_write(db: sqlite3.Connection, contacts: list[tuple], emails: list[tuple]) -> None:
    db.executemany(
        f"INSERT INTO network_contact ({', '.join(CONTACT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(CONTACT_COLUMNS))})",
        contacts,
    )
    db.executemany(
        "INSERT INTO network_contactemail (owner_id, contact_id, email, kind, position) "
        "VALUES (?, ?, ?, ?, ?)",
        emails,
    )
    db.commit()


def narrow_floor(data: bytes) -> float:
    """For reference: the seven CSV columns into a bare seven-column table, no indexes."""
    path = WORK / "narrow.sqlite3"
    times = []
    for _ in range(REPEAT):
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(
            "CREATE TABLE c (id INTEGER PRIMARY KEY, first TEXT, last TEXT, url TEXT, "
            "email TEXT, company TEXT, position TEXT, connected TEXT)"
        )
        start = time.perf_counter()
        lines = data.decode("utf-8").splitlines()
        header_at = next(i for i, line in enumerate(lines) if line.startswith("First Name"))
        rows = list(csv.reader(lines[header_at + 1 :]))
        db.executemany(
            "INSERT INTO c (first, last, url, email, company, position, connected) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.commit()
        times.append(time.perf_counter() - start)
        db.close()
    return statistics.median(times)


def contact_schema() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('network_contact', "
            "'network_contactemail') AND sql IS NOT NULL ORDER BY type DESC"
        )
        statements = [row[0] for row in cursor.fetchall()]
    # Same tables and indexes; the foreign keys point at tables the floor database lacks.
    return [
        s.replace("DEFERRABLE INITIALLY DEFERRED", "")
        .replace('REFERENCES "accounts_user" ("id")', "")
        .replace('REFERENCES "network_contact" ("id")', "")
        for s in statements
    ]


def introloop_import(data: bytes, owner: User) -> float:
    start = time.perf_counter()
    parsed = parse_upload(data, filename="Connections.csv")
    outcome = apply_import(owner, parsed, now=timezone.now(), filename="Connections.csv")
    elapsed = time.perf_counter() - start
    return elapsed, outcome.plan


def server_time(client: Client, url: str) -> tuple[float, int]:
    """Median time Django takes to answer `url`, and the number of SQL queries it runs."""
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return median_time(lambda: client.get(url), LIST_RUNS), len(queries)


def sql_floor(owner_id: int, where: str = "", params=()) -> float:
    db = sqlite3.connect(settings.DATABASES["default"]["NAME"])

    def run():
        db.execute(
            f"SELECT COUNT(*) FROM network_contact WHERE owner_id = ? {where}", (owner_id, *params)
        ).fetchone()
        rows = db.execute(
            "SELECT id, full_name, company, title, last_interaction_on, reconnect_due_on "
            f"FROM network_contact WHERE owner_id = ? {where} ORDER BY name_key, id LIMIT 50",
            (owner_id, *params),
        ).fetchall()
        ids = [r[0] for r in rows]
        marks = ",".join("?" * len(ids))
        db.execute(
            f"SELECT contact_id, email FROM network_contactemail WHERE contact_id IN ({marks})", ids
        ).fetchall()

    result = median_time(run, LIST_RUNS)
    db.close()
    return result


def measure_imports(data: bytes) -> tuple[float, float, User]:
    """Median times of a first import into an empty account and of a re-import of the same
    file, checking what each planned; and the last account imported into."""
    firsts, seconds, plan = [], [], None
    for n in range(REPEAT):
        owner = User.objects.create_user(f"bench{n}@example.com", "bench-password")
        elapsed, plan = introloop_import(data, owner)
        firsts.append(elapsed)
        elapsed, again = introloop_import(data, owner)
        seconds.append(elapsed)
        assert len(again.creates) == 0 and again.unchanged == ROWS, (
            len(again.creates),
            len(again.updates),
            again.unchanged,
            again.updates[:2],
        )
    assert len(plan.creates) == ROWS and not plan.errors
    return statistics.median(firsts), statistics.median(seconds), owner


def ranking_floor_time(owner: User) -> float:
    """The columns "who can help" ranks contacts on, read with plain sqlite3."""
    db = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    columns = "id, full_name, company, title, industry, location, strength, how_they_can_help"
    ranking_sql = f"SELECT {columns}, notes FROM network_contact WHERE owner_id = ?"

    def read_columns():
        return db.execute(ranking_sql, (owner.id,)).fetchall()

    ranking_floor = median_time(read_columns, LIST_RUNS)
    db.close()
    return ranking_floor


def measure_pages(owner: User) -> tuple[list[tuple[str, float, float, str]], bool]:
    """The table's rows for the contact list, search and "who can help", and whether their
    targets are met."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(owner)
    list_time, list_queries = server_time(client, "/contacts/")
    search_time, search_queries = server_time(client, "/contacts/?q=data+scientist")
    deep_time, _ = server_time(client, "/contacts/?page=300")
    goal = Goal.objects.create(
        owner=owner,
        title="Product",
        roles=["Product Manager", "Data Scientist"],
        industries=["Fintech"],
        companies=COMPANIES[:150],
        locations=["London"],
    )
    goal_time, goal_queries = server_time(client, f"/goals/{goal.id}/")
    ranking = median_time(lambda: suggestions(goal, date.today()), LIST_RUNS)
    ranking_floor = ranking_floor_time(owner)
    list_floor = sql_floor(owner.id)
    search_floor = sql_floor(
        owner.id, "AND search_text LIKE ? AND search_text LIKE ?", ("%data%", "%scientist%")
    )
    rows = [
        (f"Contact list, page 1 of 50 ({list_queries} queries)", list_time, list_floor, "< 50 ms"),
        ("Contact list, page 300", deep_time, list_floor, "< 50 ms"),
        (
            f"Search 'data scientist' ({search_queries} queries)",
            search_time,
            search_floor,
            "< 50 ms",
        ),
        ("List floor: the page's SQL with plain sqlite3", list_floor, list_floor, ""),
        ("Search floor: the search's SQL with plain sqlite3", search_floor, search_floor, ""),
        (
            "Who can help: rank 20,000 contacts for a goal with 150 companies",
            ranking,
            ranking_floor,
            "< 250 ms",
        ),
        (
            f"Goal page with its 25 best suggestions ({goal_queries} queries)",
            goal_time,
            ranking_floor,
            "< 250 ms",
        ),
        (
            "Ranking floor: the contacts' columns read with plain sqlite3",
            ranking_floor,
            ranking_floor,
            "",
        ),
    ]
    return rows, max(list_time, deep_time, search_time) < 0.05 and ranking < 0.25


def print_table(rows: list[tuple[str, float, float, str]]) -> None:
    print(
        f"Contacts benchmark: {ROWS:,} contacts, SQLite {sqlite3.sqlite_version}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; medians of {REPEAT} imports "
        f"and {LIST_RUNS} page loads.\n"
    )
    print("| figure | time | ratio to floor | target |")
    print("|---|---:|---:|---|")
    for label, seconds_taken, floor_value, target in rows:
        if seconds_taken >= 0.1:
            shown = f"{seconds_taken * 1000:,.0f} ms"
        else:
            shown = f"{seconds_taken * 1000:.1f} ms"
        print(f"| {label} | {shown} | {seconds_taken / floor_value:.1f}× | {target} |")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # as `introloop serve` does
    data = linkedin_export(ROWS)
    floor = floor_import(data, contact_schema())
    narrow = narrow_floor(data)
    first, second, owner = measure_imports(data)
    page_rows, pages_ok = measure_pages(owner)
    print_table(
        [
            (
                "Import 20,000-row LinkedIn export (empty account)",
                first,
                floor,
                "< 5 s, ≤ 3× floor",
            ),
            ("Re-import the same file (all unchanged)", second, floor, "≤ first import"),
            ("Import floor: csv module + sqlite3 executemany", floor, floor, ""),
            ("For reference: the same into a bare 7-column table", narrow, floor, ""),
            *page_rows,
        ]
    )
    ok = first < 5 and first <= 3 * floor and second <= first * 1.1 and pages_ok
    print(f"\nTargets {'met' if ok else 'NOT met'}.")
    print(
        "\nThe import floor writes the same rows into Introloop's own contact and email tables "
        "(created from its migrations, same indexes) with plain sqlite3; the 7-column row shows "
        "what the storage itself costs beyond a bare table. Page times are server time in "
        "process (middleware, queries, template), with a warm connection."
    )


if __name__ == "__main__":
    main()

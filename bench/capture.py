"""Capture-from-email benchmark: reading and matching 10,000 stored messages (replies from
Gmail, Outlook, Apple Mail and a German client, inline and attached forwards, invitations,
mailing-list mail) for an account with 20,000 contacts and 5,000 introductions.

Run with `python3 run.py bench` (all benchmarks) or `.venv/bin/python bench/capture.py`
(`BENCH_CAPTURE_MESSAGES=1000` for a quick run). Prints a Markdown table.

Figure: messages per second through `parsing.parse`, `matching.Known` and `matching.decide`
in the worker's batches (the reads the worker does: headers, parts, the new text, forwards;
for each batch of one account's messages, the threads and the introductions of the people on
them), on SQLite, without the writes of acting on them.
Each figure is the best of three runs over the same bytes, read back from the database.
Floor: the same messages through the standard library's `email.message_from_bytes` alone,
with each part's payload decoded: the cost of merely reading the mail. The target (5 times at
most) is judged against it. A second row, for reference only, has the email package read the fields
the figure reads too (From, To, Cc, Date, Subject, Message-ID, References, each text part
decoded to text): the share of the figure that is the standard library's.
"""

import contextlib
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

MESSAGES = int(os.environ.get("BENCH_CAPTURE_MESSAGES", "10000"))
CONTACTS = 20_000
INTROS = 5_000
BATCH = 2_000
TARGET_RATE = 200  # messages a second
TARGET_RATIO = 5.0

WORK = Path(tempfile.mkdtemp(prefix="introloop-bench-"))
os.environ["INTROLOOP_DATA_DIR"] = str(WORK)
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "introloop.settings")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from email import message_from_bytes  # noqa: E402
from email.header import decode_header, make_header  # noqa: E402
from email.utils import getaddresses, parsedate_to_datetime  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from introloop.accounts.models import User  # noqa: E402
from introloop.capture import services  # noqa: E402
from introloop.capture.matching import Known, decide  # noqa: E402
from introloop.capture.models import CapturedMessage  # noqa: E402
from introloop.capture.parsing import parse  # noqa: E402
from introloop.intros.models import DEFAULT_RULES, Intro, State  # noqa: E402
from introloop.network.models import Contact, ContactEmail  # noqa: E402

MAIL = ROOT / "introloop" / "capture" / "tests" / "mail"
FORMATS = sorted(p.name for p in MAIL.glob("*.eml"))
LIST_MAIL = (
    b"From: Jobs Weekly <news@jobs.example>\nTo: {me}\nSubject: This week's roles\n"
    b"List-Id: <weekly.jobs.example>\nList-Unsubscribe: <mailto:u@jobs.example>\n"
    b"Message-ID: <{n}@jobs.example>\n\nTen new roles in data engineering.\n"
)


def seed(now: datetime) -> tuple[User, list[str]]:
    user = User.objects.create_user(
        "maya@example.com", "bench-password", name="Maya Seeker", email_verified_at=now
    )
    emails = [f"person{n}@company{n % 900}.example" for n in range(CONTACTS)]
    with transaction.atomic():
        for start in range(0, CONTACTS, BATCH):
            chunk = range(start, min(start + BATCH, CONTACTS))
            contacts = Contact.objects.bulk_create(
                Contact(owner=user, full_name=f"Person {n}", name_key=f"person {n}") for n in chunk
            )
            ContactEmail.objects.bulk_create(
                ContactEmail(owner=user, contact=c, email=emails[n])
                for c, n in zip(contacts, chunk, strict=True)
            )
        rng = random.Random(13)
        states = [State.INTRODUCED, State.REACHED_OUT, State.MET, State.REQUESTED]
        intros = []
        for n in range(INTROS):
            state = states[n % len(states)]
            at = now - timedelta(days=rng.randint(10, 200))
            intros.append(Intro(
                created_by=user, logged_as="seeker", purpose="Advice", double_opt_in=False,
                state=state, rules=dict(DEFAULT_RULES), created_at=at, updated_at=at,
                clock_at=at, requested_at=at, introduced_at=at, met_at=at,
                reached_out_at=at, seeker_user=user, seeker_name="Maya Seeker",
                seeker_email=user.email, connector_name=f"Person {2 * n}",
                connector_email=emails[2 * n], target_name=f"Person {2 * n + 1}",
                target_email=emails[2 * n + 1],
            ))  # fmt: skip
        Intro.objects.bulk_create(intros, batch_size=BATCH)
    return user, emails


def messages(user: User, emails: list[str]) -> list[bytes]:
    """MESSAGES raw messages: the test fixtures with the account's people in them."""
    templates = [(MAIL / name).read_bytes() for name in FORMATS]
    found = []
    for n in range(MESSAGES):
        k = n % (len(templates) + 1)
        pair = (n * 7) % INTROS
        connector, target = emails[2 * pair], emails[2 * pair + 1]
        if k == len(templates):
            raw = LIST_MAIL.replace(b"{me}", user.email.encode()).replace(b"{n}", b"%d" % n)
        else:
            raw = (
                templates[k]
                .replace(b"maya@example.com", user.email.encode())
                .replace(b"carla@example.org", connector.encode())
                .replace(b"tom@example.org", target.encode())
                .replace(b"juergen@example.de", target.encode())
                .replace(b"Message-ID: <", b"Message-ID: <%d." % n)
                .replace(b"Message-Id: <", b"Message-Id: <%d." % n)
            )
        found.append(raw)
    return found


def store(user: User, raws: list[bytes], now: datetime) -> None:
    import hashlib

    CapturedMessage.objects.bulk_create(
        (
            CapturedMessage(
                owner=user,
                source="upload",
                raw=raw,
                size=len(raw),
                message_id=f"m{n}",
                sha256=hashlib.sha256(raw).hexdigest(),
                received_at=now,
            )
            for n, raw in enumerate(raws)
        ),
        batch_size=BATCH,
    )


def floor(raws: list[bytes]) -> float:
    start = time.perf_counter()
    for raw in raws:
        for part in message_from_bytes(raw).walk():
            if not part.is_multipart():
                part.get_payload(decode=True)
    return time.perf_counter() - start


def same_fields(raws: list[bytes]) -> float:
    start = time.perf_counter()
    for raw in raws:
        message = message_from_bytes(raw)
        for name in ("From", "To", "Cc"):
            getaddresses(message.get_all(name, []))
        with contextlib.suppress(TypeError, ValueError):
            parsedate_to_datetime(message.get("Date", ""))
        str(make_header(decode_header(message.get("Subject", ""))))
        message.get("Message-ID"), message.get("In-Reply-To"), message.get("References")
        for part in message.walk():
            if part.get_content_maintype() == "text":
                data = part.get_payload(decode=True) or b""
                data.decode(part.get_content_charset() or "utf-8", "replace")
            elif not part.is_multipart():
                part.get_payload(decode=True)
    return time.perf_counter() - start


def stored(user: User) -> list[bytes]:
    """The messages as the worker gets them: read back from the database."""
    rows = CapturedMessage.objects.filter(owner=user).values_list("raw", flat=True)
    return [bytes(raw) for raw in rows.iterator(chunk_size=BATCH)]


def ours(user: User, raws: list[bytes], now: datetime) -> tuple[float, dict[str, int]]:
    actions: dict[str, int] = {}
    start = time.perf_counter()
    for first in range(0, len(raws), services.BATCH):  # in the worker's batches
        batch = [parse(raw, user.zone) for raw in raws[first : first + services.BATCH]]
        known = Known(user, batch)
        for parsed in batch:
            decision = decide(user, parsed, "", now, known)
            actions[decision.action] = actions.get(decision.action, 0) + 1
    return time.perf_counter() - start, actions


def main() -> None:
    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    started = time.perf_counter()
    user, emails = seed(now)
    raws = messages(user, emails)
    store(user, raws, now)
    seeded = time.perf_counter() - started
    # The same bytes for all three, each timed the best of three runs (deciding writes
    # nothing, so every run of ours does the same work).
    raws = stored(user)
    floor_seconds = min(floor(raws) for _ in range(3))
    fields_seconds = min(same_fields(raws) for _ in range(3))
    runs = [ours(user, raws, now) for _ in range(3)]
    taken, actions = min(runs, key=lambda run: run[0])
    rate, floor_rate = MESSAGES / taken, MESSAGES / floor_seconds
    ratio = taken / floor_seconds
    print(
        f"Capture benchmark: {MESSAGES:,} stored messages ({len(FORMATS) + 1} formats) for an "
        f"account with {CONTACTS:,} contacts and {INTROS:,} introductions (seeded in "
        f"{seeded:.1f} s), SQLite, Python {sys.version.split()[0]}, {os.cpu_count()} cores.\n"
    )
    print("| figure | messages/s | µs a message | ratio to floor | target |")
    print("|---|---:|---:|---:|---|")
    row = f"| parse and match | {rate:,.0f} | {1e6 / rate:.0f} | {ratio:.1f}× |"
    print(f"{row} ≥ {TARGET_RATE}/s, ≤ {TARGET_RATIO:g}× |")
    print(
        f"| floor: `email.message_from_bytes` alone | {floor_rate:,.0f} | "
        f"{1e6 / floor_rate:.0f} | 1.0× | |"
    )
    print(
        f"| for reference: the email package reading the same fields | "
        f"{MESSAGES / fields_seconds:,.0f} | {fields_seconds / MESSAGES * 1e6:.0f} | "
        f"{fields_seconds / floor_seconds:.1f}× | |"
    )
    met = rate >= TARGET_RATE and ratio <= TARGET_RATIO
    print(f"\nDecisions: {', '.join(f'{k} {v:,}' for k, v in sorted(actions.items()))}.")
    print(f"\nTargets {'met' if met else 'NOT met'}.")


if __name__ == "__main__":
    main()

"""Load benchmark: what `introloop serve` gives per second, page by page, against a ceiling;
and whether reads and writes keep going while a 200,000-row import runs. SQLite always,
PostgreSQL (postgres://postgres@127.0.0.1:5432) when it is reachable.

Run with `python3 run.py bench` (every bench/*.py; the output goes to docs/benchmarks.md) or
`.venv/bin/python bench/load.py` (this one). Flags: `--seconds S` (each measurement, after a
`--warmup W` second warm-up), `--clients 1,8,32`, `--client-processes P`, `--import-rows R`,
`--import-clients N`, `--import-seconds S`. With the defaults the whole run, both databases,
takes about 8 minutes. Stdout is the Markdown result only; progress goes to stderr.

The installation. Each database gets one, used for both parts: a data directory of its own
(SQLite) or a database `introloop_bench_load` (PostgreSQL, created and dropped here), one
account with 20,000 contacts and 5,000 introductions (both installations are made at the same
time, before anything is measured), served by `introloop serve` with its default settings
(gunicorn's gthread workers: 2 processes of 4 threads, and the background worker) on a free
port.

1. The throughput matrix. For each target — the ceiling, the `/today/` page, `GET
   /api/v1/today`, the `/intros/` page, the `/contacts/` page, `GET /api/v1/contacts?limit=50`
   — and for each number of clients (1, 8, 32), the clients send that one request again and
   again on keep-alive connections for `--seconds` after `--warmup`: requests per second (of
   the requests that ended in the measured window), p50 and p99 latency (of those), errors
   (any answer but 200, refused or timed out). Pages use a session cookie from the real login
   form; the API a bearer token. The ceiling is bench/_ceiling.py, a bare Django view of
   constant JSON (no apps, middleware or database), served by gunicorn with the command line
   `introloop serve` uses (introloop.ops.supervisor.web_command: same worker class, workers,
   threads and access log) on a port of its own, measured the same way just before the
   database's targets; each target's req/s is also given as a fraction of the ceiling's at
   the same number of clients.

2. The import scenario. A 200,000-row LinkedIn export is uploaded through `POST
   /api/v1/imports`; while the worker imports it, one client writes new contacts (`POST
   /api/v1/contacts`, one after the other, until the import is over) and, from the start,
   `--import-clients` clients read each of the five Introloop targets in turn, as in the
   matrix (`--import-seconds` each, after a warm-up of at most 0.5 s; a target is marked when
   the import ended while it was read, and skipped when the import was over before).
   Reported: the upload's time, the slowest write (max and p99; target: no write waits more
   than 1 s behind the import), each read's req/s and p50 during the import against the
   matrix's at the same number of clients, and the import's outcome.

The clients. A Python client is held back by its GIL, so the clients of one measurement are
threads spread over `--client-processes` processes (multiprocessing, fork; by default as many
as the machine has cores, never more than clients), each thread with its own keep-alive
connection (http.client); all start at the same wall-clock instant. The clients share the
machine's cores with the server, so on a small machine they take some of its CPU: the same
for the ceiling and for the targets. Stdlib only on the client side.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _load_clients import FORK, TIMEOUT, Run, _writer_process, load
from _load_report import CEILING, LABELS, TARGETS, misses, ms, print_import, print_matrix
from _people import linkedin_export

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
INTROLOOP = [sys.executable, "-m", "introloop"]
PG_URL = "postgres://postgres@127.0.0.1:5432/{}"
PG_DB = "introloop_bench_load"
EMAIL, PASSWORD = "load@example.com", "a long benchmark passphrase"
CONTACTS, INTROS = 20_000, 5_000


START = time.monotonic()


def say(message: str) -> None:
    elapsed = time.monotonic() - START
    print(f"bench/load.py [{elapsed:4.0f} s]: {message}", file=sys.stderr, flush=True)


def introloop(*args: str, env: dict, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [*INTROLOOP, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True, **kw
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- The installation ------------------------------------------------------------------------


SEED_INTROS = """
import random
from datetime import timedelta
from django.utils import timezone
from introloop.accounts.models import User
from introloop.intros.services import NewIntro, Party, create_intro
me = User.objects.get(email={email!r})
rng, now = random.Random(3), timezone.now()
for n in range({count}):
    new = NewIntro(connector=Party("Cora Lindqvist", f"cora{{n % 40}}@example.org"),
                   seeker=Party(me.display_name, me.email),
                   target=Party(f"Target {{n}}", f"target{{n}}@example.org"),
                   purpose="Advice on platform teams", double_opt_in=False,
                   start=rng.choice(["requested", "introduced", "met"]),
                   at=now - timedelta(days=rng.uniform(0, 60)))
    create_intro(me, new, now)
"""


def install(env: dict, work: Path) -> str:
    """A fresh installation with one account, its contacts and introductions; its token."""
    introloop("migrate", "--verbosity", "0", env=env)
    introloop("createuser", "--email", EMAIL, "--password", PASSWORD, "--name", "Load Tester",
              env=env)  # fmt: skip
    token = introloop("token", "--email", EMAIL, env=env).stdout.strip().splitlines()[-1]
    contacts = work / "contacts.csv"
    contacts.write_bytes(linkedin_export(CONTACTS))
    introloop("import", str(contacts), "--user", EMAIL, env=env)
    script = SEED_INTROS.format(email=EMAIL, count=INTROS)
    introloop("shell", "-c", script, env=env)
    return token


def wait_for_port(process: subprocess.Popen, port: int, log: Path, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{what} did not start: " + log.read_text()[-2000:])


def serve(env: dict, port: int, work: Path) -> tuple[subprocess.Popen, int, int]:
    """`introloop serve` with its defaults; the process and its web processes and threads."""
    out = work / "serve.out"
    server = subprocess.Popen(  # noqa: S603
        [*INTROLOOP, "serve", "--port", str(port)], env=env, cwd=ROOT,
        stdout=out.open("w"), stderr=(work / "serve.log").open("w"), text=True,
    )  # fmt: skip
    wait_for_port(server, port, work / "serve.log", "introloop serve")
    # "… (web and worker, 2 web process(es) of 4 thread(s)); Ctrl-C stops it."
    found = re.search(r"(\d+) web process\(es\) of (\d+) thread\(s\)", out.read_text())
    if not found:
        server.kill()
        raise RuntimeError("introloop serve did not say its workers: " + out.read_text()[:500])
    return server, int(found[1]), int(found[2])


def serve_ceiling(port: int, workers: int, threads: int, work: Path) -> subprocess.Popen:
    """bench/_ceiling.py under gunicorn, with the command line `introloop serve` builds."""
    from introloop.ops.supervisor import web_command  # stdlib only, no Django

    command = web_command(f"127.0.0.1:{port}", workers, threads, "127.0.0.1,::1")
    command[command.index("introloop.wsgi:application")] = "_ceiling:application"
    command += ["--pythonpath", str(BENCH)]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    server = subprocess.Popen(  # noqa: S603
        command, env=env, cwd=ROOT, stdout=(work / "ceiling.out").open("w"),
        stderr=(work / "ceiling.log").open("w"),
    )  # fmt: skip
    wait_for_port(server, port, work / "ceiling.log", "the ceiling")
    return server


def log_in(port: int) -> str:
    """A session cookie for the account, through the real login form."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf = response.getheader("Set-Cookie", "").split("csrftoken=")[1].split(";")[0]
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    body = urlencode({"username": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": token})
    connection.request("POST", "/accounts/login/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}",
        "Referer": f"http://127.0.0.1:{port}/accounts/login/",
    })  # fmt: skip
    response = connection.getresponse()
    response.read()
    cookies = response.getheader("Set-Cookie", "")
    return cookies.split("sessionid=")[1].split(";")[0]


# --- One database ---------------------------------------------------------------------------


@dataclass
class Installation:
    db: str
    work: Path
    env: dict
    token: str = ""
    failure: BaseException | None = None


def prepare(db: str) -> Installation:
    work = Path(tempfile.mkdtemp(prefix=f"introloop-load-{db}-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EMAIL_URL")}
    env["INTROLOOP_DATA_DIR"] = str(work)
    if db == "postgresql":
        env["DATABASE_URL"] = PG_URL.format(PG_DB)
        _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)', f'CREATE DATABASE "{PG_DB}"')
    return Installation(db, work, env)


def install_all(installations: list[Installation]) -> None:
    """Every installation at once (each is mostly one process: the machine's cores share them)."""

    def one(inst: Installation) -> None:
        try:
            inst.token = install(inst.env, inst.work)
        except BaseException as exc:
            inst.failure = exc

    started = time.perf_counter()
    say("installing " + " and ".join(LABELS[i.db] for i in installations) +
        f", each with {CONTACTS:,} contacts and {INTROS:,} introductions")  # fmt: skip
    threads = [threading.Thread(target=one, args=(inst,)) for inst in installations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for inst in installations:
        if isinstance(inst.failure, subprocess.CalledProcessError):
            say(f"{inst.db}: {inst.failure.cmd} failed:\n{inst.failure.stderr[-3000:]}")
        if inst.failure:
            raise inst.failure
    say(f"installed in {time.perf_counter() - started:.0f} s")


def measure(inst: Installation, args: argparse.Namespace) -> dict:
    db, work, env, token = inst.db, inst.work, inst.env, inst.token
    servers: list[subprocess.Popen] = []
    try:
        port = free_port()
        server, workers, threads = serve(env, port, work)
        servers.append(server)
        ceiling_port = free_port()
        servers.append(serve_ceiling(ceiling_port, workers, threads, work))
        session = log_in(port)
        headers = {
            "": {},
            "session": {"Cookie": f"sessionid={session}"},
            "token": {"Authorization": f"Bearer {token}"},
        }
        matrix: dict[str, dict[int, Run]] = {}
        for target in [CEILING, *TARGETS]:
            on = ceiling_port if target is CEILING else port
            for clients in args.clients:
                run = load(on, target.path, headers[target.auth], clients,
                           args.client_processes, args.warmup, args.seconds)  # fmt: skip
                matrix.setdefault(target.key, {})[clients] = run
                say(f"{db}: {target.key} × {clients}: {run.rps:,.1f} req/s, "
                    f"p50 {ms(run.quantile(50))}, p99 {ms(run.quantile(99))}, "
                    f"{len(run.errors)} errors")  # fmt: skip
        servers.pop().terminate()  # the ceiling is not needed any more

        say(f"{db}: uploading a {args.import_rows:,}-row import; then {args.import_clients} "
            "readers and a writer while it runs")  # fmt: skip
        upload, job_id = start_import(port, token, args.import_rows)
        import_started = time.perf_counter()
        stop, out = FORK.Event(), FORK.Queue()
        writer = FORK.Process(target=_writer_process, args=(port, token, stop, out))
        writer.start()
        during: dict[str, Run] = {}
        ended: set[str] = set()  # read targets during which the import ended

        def importing() -> bool:
            job = import_status(port, token, job_id) if job_id else {}
            return job.get("status") in ("queued", "running")

        for target in TARGETS:
            if not importing():
                say(f"{db}: the import is over already: {target.key} not read during it")
                continue
            during[target.key] = run = load(port, target.path, headers[target.auth],
                                            args.import_clients, args.client_processes,
                                            min(args.warmup, 0.5), args.import_seconds)  # fmt: skip
            if not importing():
                ended.add(target.key)
            say(f"{db}: during the import, {target.key} × {args.import_clients}: "
                f"{run.rps:,.1f} req/s, p50 {ms(run.quantile(50))}")  # fmt: skip
        say(f"{db}: reads done; writing on until the import is over")
        job = import_status(port, token, job_id) if job_id else {}
        deadline = time.monotonic() + args.import_wait
        while job_id and job.get("status") in ("queued", "running"):
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
            job = import_status(port, token, job_id)
        job_seconds = time.perf_counter() - import_started
        stop.set()
        write_latencies, write_errors = out.get()
        writer.join()
        writes = Run(job_seconds, write_latencies, write_errors)
        say(f"{db}: the import is {job.get('status')} after {job_seconds:.0f} s; "
            f"{len(writes.latencies)} writes, the slowest {ms(writes.slowest)}")  # fmt: skip
        if job.get("status") == "failed":
            why = "from introloop.network.models import ImportJob as J; print(J.objects.get())"
            say(f"{db}: the import failed: " + introloop("shell", "-c", why, env=env).stdout)
            say((work / "serve.log").read_text()[-3000:])
        return {
            "matrix": matrix, "during": during, "ended": ended, "writes": writes, "upload": upload,
            "job": job.get("status", "none"), "imported": job.get("created", 0),
            "job_seconds": job_seconds, "workers": workers,
            "threads": threads,
        }  # fmt: skip
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()


def cleanup(inst: Installation) -> None:
    if inst.db == "postgresql":
        _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    shutil.rmtree(inst.work, ignore_errors=True)


# --- The import running meanwhile --------------------------------------------------------------


def start_import(port: int, token: str, rows: int) -> tuple[float, int | None]:
    """Upload a large LinkedIn export through the API; (seconds the upload took, job id)."""
    data = linkedin_export(rows, start=CONTACTS)  # people not in the book yet
    boundary = "introloopbenchboundary"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="Connections.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    )
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    connection.request("POST", "/api/v1/imports", body=body, headers={
        "Authorization": f"Bearer {token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    })  # fmt: skip
    response = connection.getresponse()
    answer = json.loads(response.read() or b"{}")
    taken = time.perf_counter() - started
    if response.status != 202:
        say(f"the import answered {response.status} (not a background job) in {taken:.1f} s")
        return taken, None
    return taken, answer.get("id")


def import_status(port: int, token: str, job_id: int) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", f"/api/v1/imports/{job_id}",
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    return json.loads(connection.getresponse().read())


def _pg_admin(*statements: str) -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    try:
        with psycopg.connect(PG_URL.format("postgres"), autocommit=True, connect_timeout=3) as pg:
            for statement in statements:
                pg.execute(statement)
    except psycopg.OperationalError:
        return False
    return True


def _versions() -> str:
    import sqlite3

    found = [f"SQLite {sqlite3.sqlite_version}"]
    try:
        import psycopg

        with psycopg.connect(PG_URL.format("postgres"), connect_timeout=3) as pg:
            row = pg.execute("SHOW server_version").fetchone()
            found.append(f"PostgreSQL {row[0].split()[0]}")
    except Exception:  # noqa: S110 - no PostgreSQL: nothing to say about it
        pass
    return ", ".join(found)


def client_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6, help="each measurement (s)")
    parser.add_argument("--warmup", type=float, default=1, help="before each measurement (s)")
    parser.add_argument("--clients", type=client_list, default=[1, 8, 32],
                        help="client counts of the matrix, e.g. 1,8,32")  # fmt: skip
    parser.add_argument("--client-processes", type=int, default=os.cpu_count() or 2,
                        help="processes the clients are spread over")  # fmt: skip
    parser.add_argument("--import-rows", type=int, default=200_000)
    parser.add_argument("--import-clients", type=int, default=8,
                        help="readers during the import (besides the one writer)")  # fmt: skip
    parser.add_argument("--import-seconds", type=float, default=2,
                        help="each read target during the import (s)")  # fmt: skip
    parser.add_argument(
        "--import-wait",
        type=float,
        default=180,
        help="how long to wait (writing) for the import to finish after the reads (s)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    databases = ["sqlite"] + (["postgresql"] if _pg_admin("SELECT 1") else [])
    installations = [prepare(db) for db in databases]
    found: dict[str, dict] = {}
    try:
        install_all(installations)
        for inst in installations:
            found[inst.db] = measure(inst, args)
    finally:
        for inst in installations:
            cleanup(inst)
    first = next(iter(found.values()))
    ends = ", ".join(str(c) for c in args.clients)
    print(f"Load benchmark against `introloop serve` with its defaults (gunicorn gthread, "
          f"{first['workers']} web processes × {first['threads']} threads, and the worker), one "
          f"account with {CONTACTS:,} contacts and {INTROS:,} introductions; {ends} clients on "
          f"keep-alive connections (threads in up to {args.client_processes} client processes "
          f"on the same machine), {args.seconds:g} s each after a {args.warmup:g} s warm-up; "
          f"{_versions()}, Python {sys.version.split()[0]}, {os.cpu_count()} cores. "
          f"Columns per client count: requests per second, that as a fraction of the ceiling's "
          f"at the same count, p50 and p99 latency. Whole run: "
          f"{(time.perf_counter() - started) / 60:.1f} min.\n")  # fmt: skip
    for db, result in found.items():
        print_matrix(LABELS[db], result, args.clients)
    print_import(found, args)
    missed = [m for db, r in found.items() for m in misses(LABELS[db], r, args.clients)]
    for db, result in found.items():
        runs = [*(r for per in result["matrix"].values() for r in per.values()),
                *result["during"].values(), result["writes"]]  # fmt: skip
        for error in sorted({e for run in runs for e in run.errors})[:5]:
            print(f"{LABELS[db]} error: {error}\n")
    print("Targets met." if not missed else "Targets NOT met: " + "; ".join(missed) + ".")


if __name__ == "__main__":
    main()

"""Load benchmark: 50 clients for 60 s against `introloop serve`, with a 200,000-row import
running in the background, on SQLite and (when it is reachable) PostgreSQL.

Run with `python3 run.py bench` (all benchmarks) or `.venv/bin/python bench/load.py`
(`--clients N --seconds S --import-rows R` to change the load). Prints a Markdown table per
database: requests per second, p50, p99 and the slowest request, errors (5xx, refused or timed
out), and how long the import took.

Each database gets a fresh installation: a data directory of its own (SQLite) or a database
`introloop_bench_load` (PostgreSQL, created and dropped here), one account with 20,000
contacts and 5,000 introductions, served by `introloop serve` (gunicorn, 2 web processes and
the worker) on a free port. The clients are threads of this process on keep-alive
connections: reads of pages and of the API, and writes (new contacts, interactions), in a
fixed mix. Stdlib only.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _people import linkedin_export

ROOT = Path(__file__).resolve().parents[1]
INTROLOOP = [sys.executable, "-m", "introloop"]
PG_URL = "postgres://postgres@127.0.0.1:5432/{}"
PG_DB = "introloop_bench_load"
EMAIL, PASSWORD = "load@example.com", "a long benchmark passphrase"
CONTACTS, INTROS = 20_000, 5_000
TIMEOUT = 30  # gunicorn's own limit: a request slower than this counts as an error


def say(message: str) -> None:
    print(f"bench/load.py: {message}", file=sys.stderr, flush=True)


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


def serve(env: dict, port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [*INTROLOOP, "serve", "--port", str(port), "--workers", "2"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=log.open("w"), text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("introloop serve did not start: " + log.read_text()[-2000:])


# --- The clients ----------------------------------------------------------------------------


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str = "") -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)


class Client:
    """One person at a keyboard: a keep-alive connection, a session and an API token."""

    def __init__(self, port: int, token: str, session: str, n: int):
        self.port, self.n = port, n
        self.api = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.page = {"Cookie": f"sessionid={session}"}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.written = 0

    def request(self, method: str, path: str, headers: dict, body: bytes | None = None) -> int:
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            raise

    def one(self, rng: random.Random) -> tuple[str, int]:
        """One request from the mix: mostly reads, a fifth writes."""
        roll = rng.random()
        if roll < 0.15:
            return "page /today/", self.request("GET", "/today/", self.page)
        if roll < 0.30:
            return "page /contacts/", self.request("GET", "/contacts/?q=an", self.page)
        if roll < 0.45:
            query = urlencode({"limit": 50, "offset": rng.randrange(0, 5000, 50)})
            return "api contacts", self.request("GET", f"/api/v1/contacts?{query}", self.api)
        if roll < 0.60:
            return "api intros", self.request("GET", "/api/v1/intros?state=all", self.api)
        if roll < 0.70:
            return "page /intros/", self.request("GET", "/intros/", self.page)
        if roll < 0.80:
            return "api today", self.request("GET", "/api/v1/today", self.api)
        self.written += 1
        body = {"full_name": f"Client {self.n} person {self.written}",
                "emails": [f"c{self.n}.{self.written}@example.net"]}  # fmt: skip
        return "api new contact", self.request(
            "POST", "/api/v1/contacts", self.api, json.dumps(body).encode()
        )


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


def run_clients(port: int, token: str, clients: int, seconds: float) -> Results:
    results, session = Results(), log_in(port)
    stop = time.monotonic() + seconds

    def work(n: int) -> None:
        client, rng = Client(port, token, session, n), random.Random(n)
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                what, status = client.one(rng)
                error = f"{what}: {status}" if status >= 500 else ""
            except (OSError, http.client.HTTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
            results.add(time.perf_counter() - started, error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# --- The import running meanwhile --------------------------------------------------------------


def start_import(port: int, token: str, rows: int, work: Path) -> tuple[float, int | None]:
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


# --- One database ---------------------------------------------------------------------------


def measure(db: str, clients: int, seconds: float, rows: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="introloop-load-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EMAIL_URL")}
    env["INTROLOOP_DATA_DIR"] = str(work)
    if db == "postgresql":
        env["DATABASE_URL"] = PG_URL.format(PG_DB)
        _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)', f'CREATE DATABASE "{PG_DB}"')
    server = None
    try:
        say(f"{db}: installing {CONTACTS:,} contacts and {INTROS:,} introductions")
        token = install(env, work)
        port = free_port()
        server = serve(env, port, work / "serve.log")
        say(f"{db}: serving on port {port}; starting a {rows:,}-row import and {clients} clients")
        upload_seconds, job_id = start_import(port, token, rows, work)
        import_started = time.perf_counter()
        results = run_clients(port, token, clients, seconds)
        job = import_status(port, token, job_id) if job_id else {}
        while job_id and job.get("status") in ("queued", "running"):
            time.sleep(1)
            job = import_status(port, token, job_id)
        if job.get("status") == "failed":
            why = "from introloop.network.models import ImportJob as J; print(J.objects.get())"
            say(f"{db}: the import failed: " + introloop("shell", "-c", why, env=env).stdout)
            say((work / "serve.log").read_text()[-3000:])
        return _summary(results, seconds, upload_seconds, job, time.perf_counter() - import_started)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        if db == "postgresql":
            _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


def _summary(results: Results, seconds: float, upload: float, job: dict, job_seconds: float):
    latencies = sorted(results.latencies)
    q = (
        statistics.quantiles(latencies, n=100, method="inclusive")
        if len(latencies) > 1
        else latencies * 99
    )
    return {
        "requests": len(latencies), "rps": len(latencies) / seconds, "p50": q[49], "p99": q[98],
        "slowest": latencies[-1] if latencies else 0.0, "errors": results.errors,
        "upload": upload, "job": job.get("status", "none"), "job_seconds": job_seconds,
        "imported": job.get("created", 0),
    }  # fmt: skip


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


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--import-rows", type=int, default=200_000)
    args = parser.parse_args()
    databases = ["sqlite"] + (["postgresql"] if _pg_admin("SELECT 1") else [])
    found = {db: measure(db, args.clients, args.seconds, args.import_rows) for db in databases}
    labels = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    print(f"Load benchmark: {args.clients} clients for {args.seconds:.0f} s against `introloop "
          f"serve` (2 web processes and the worker), one account with {CONTACTS:,} contacts and "
          f"{INTROS:,} introductions, while a {args.import_rows:,}-row LinkedIn import runs; "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} cores.\n")  # fmt: skip
    print("| figure | " + " | ".join(labels[db] for db in found) + " | target |")
    print("|---|" + "---:|" * len(found) + "---|")
    rows = [
        ("Requests per second", lambda r: f"{r['rps']:.1f}", ""),
        ("p50", lambda r: ms(r["p50"]), ""),
        ("p99", lambda r: ms(r["p99"]), "no request stuck behind the import"),
        ("Slowest request", lambda r: ms(r["slowest"]), f"< {TIMEOUT} s"),
        ("Errors (5xx, refused, timed out)", lambda r: f"{len(r['errors'])} of {r['requests']}",
         "0"),
        ("Upload of the import (the request)", lambda r: ms(r["upload"]), "< 1 s"),
        ("The import, in the background",
         lambda r: f"{r['job']}, {r['imported']:,} new, {r['job_seconds']:.0f} s", "done"),
    ]  # fmt: skip
    for label, value, target in rows:
        print(f"| {label} | " + " | ".join(value(r) for r in found.values()) + f" | {target} |")
    for db, result in found.items():
        for error in sorted(set(result["errors"]))[:5]:
            print(f"\n{labels[db]} error: {error}")
    met = all(not r["errors"] and r["upload"] < 1 and r["job"] == "done" for r in found.values())
    print(f"\nTargets {'met' if met else 'NOT met'}.")


if __name__ == "__main__":
    main()

"""bench/load.py's clients: threads over a few processes, each thread with its own keep-alive
connection, sending one request again and again; and the writer adding contacts during an
import. Stdlib only."""

import http.client
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field

TIMEOUT = 30  # gunicorn's own limit: a request slower than this counts as an error

# --- The clients ----------------------------------------------------------------------------


@dataclass
class Run:
    """One measurement: latencies of the requests that ended in the measured window."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def quantile(self, q: int) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1]

    @property
    def slowest(self) -> float:
        return max(self.latencies, default=float("nan"))


def _one(connection: http.client.HTTPConnection, method: str, path: str, headers: dict,
         body: bytes | None) -> str:  # fmt: skip
    """One request; "" or what went wrong. The connection is kept alive."""
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    ok = 201 if method == "POST" else 200
    return "" if response.status == ok else f"{method} {path}: HTTP {response.status}"


def _client_process(port, path, headers, threads, start_at, measure_at, stop_at, out) -> None:
    """`threads` clients, each on its own keep-alive connection, GET `path` from `start_at`
    (wall clock) until `stop_at`; the requests that ended between `measure_at` and `stop_at`
    are kept (the last one, which ends after `stop_at`, is waited for: the server is idle when
    the next measurement starts)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        mine, wrong = [], []
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        time.sleep(max(0.0, start_at - time.time()))
        while time.time() < stop_at:
            started = time.perf_counter()
            try:
                error = _one(connection, "GET", path, headers, None)
            except (OSError, http.client.HTTPException) as exc:
                error = f"GET {path}: {type(exc).__name__}: {exc}"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
            taken = time.perf_counter() - started
            if measure_at <= time.time() <= stop_at:
                mine.append(taken)
                if error:
                    wrong.append(error)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors.extend(wrong)

    pool = [threading.Thread(target=client) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put((latencies, errors))


def _writer_process(port, token, stop, out) -> None:
    """One client adding contacts through the API, one after the other, until `stop` is set."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies, errors, n = [], [], 0
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    while not stop.is_set():
        n += 1
        body = json.dumps({"full_name": f"Writer {os.getpid()} person {n}",
                           "emails": [f"w{os.getpid()}.{n}@example.net"]}).encode()  # fmt: skip
        started = time.perf_counter()
        try:
            error = _one(connection, "POST", "/api/v1/contacts", headers, body)
        except (OSError, http.client.HTTPException) as exc:
            error = f"POST /api/v1/contacts: {type(exc).__name__}: {exc}"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        latencies.append(time.perf_counter() - started)
        if error:
            errors.append(error)
    out.put((latencies, errors))


FORK = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")


def load(port: int, path: str, headers: dict, clients: int, processes: int, warmup: float,
         seconds: float) -> Run:  # fmt: skip
    """`clients` clients spread over up to `processes` processes, GETting `path`."""
    processes = max(1, min(processes, clients))
    shares = [clients // processes + (i < clients % processes) for i in range(processes)]
    start_at = time.time() + 0.25  # time for the processes to start
    measure_at = start_at + warmup
    stop_at = measure_at + seconds
    out = FORK.Queue()
    pool = [
        FORK.Process(target=_client_process,
                     args=(port, path, headers, n, start_at, measure_at, stop_at, out))
        for n in shares
    ]  # fmt: skip
    for process in pool:
        process.start()
    run = Run(seconds)
    for _ in pool:
        latencies, errors = out.get()
        run.latencies += latencies
        run.errors += errors
    for process in pool:
        process.join()
    return run

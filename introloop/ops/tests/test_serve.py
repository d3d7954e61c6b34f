"""`introloop serve` as an operator runs it: threaded web workers, a small supervising process,
and one SIGTERM that stops everything it started."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import free_port


def introloop(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "introloop", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def fresh_env(tmp_path):
    """An installation of its own: a new data directory with an embedded SQLite database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EMAIL_URL")}
    env["INTROLOOP_DATA_DIR"] = str(tmp_path / "data")
    result = introloop("migrate", "--verbosity", "0", env=env)
    assert result.returncode == 0, result.stderr
    return env


def get(url: str, timeout: float = 10) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
        return response.status


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds}s")


def descendants(pid: int) -> set[int]:
    """Every process below pid, read from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_it_serves_with_threads_from_a_small_supervisor_and_stops_on_sigterm(fresh_env):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # One web process of two threads: a second request is served while the first one waits.
    server = subprocess.Popen(
        [sys.executable, "-m", "introloop", "serve", "--port", str(port), "--workers", "1"],
        env={**fresh_env, "WEB_THREADS": "2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    started: set[int] = set()
    try:
        wait_for(base + "/health")
        started = descendants(server.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in started]
        web = [c for c in commands if b"gunicorn" in c]
        assert web, commands
        assert b"gthread" in web[0]
        assert web[0][web[0].index(b"--threads") + 1] == b"2"
        assert any(b"worker" in c and b"gunicorn" not in c for c in commands)

        # The process that outlives everything holds no Django: it only waits on its children.
        supervisor = Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")
        assert b"introloop.ops.supervisor" in supervisor
        assert rss_mb(server.pid) < 30

        # A client that sent half a request holds one thread; the other still answers.
        with socket.create_connection(("127.0.0.1", port)) as stuck:
            stuck.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            time.sleep(0.5)
            assert get(base + "/health", timeout=5) == 200
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0].decode()
    assert server.returncode == 0, output
    assert "Using worker: gthread" in output
    assert "Worker stopped" in output
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in started if alive(pid)], output


def test_it_refuses_zero_threads(fresh_env):
    result = introloop("serve", "--port", str(free_port()), "--threads", "0", env=fresh_env)
    assert result.returncode != 0
    assert "at least 1" in result.stderr

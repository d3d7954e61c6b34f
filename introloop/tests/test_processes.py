"""The installed commands as a user runs them: real processes, real HTTP, real SMTP."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def introloop(*args, env, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "introloop", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **kw,
    )


@pytest.fixture
def fresh_env(tmp_path):
    """An installation of its own: a new data directory with an embedded SQLite database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EMAIL_URL")}
    env["INTROLOOP_DATA_DIR"] = str(tmp_path / "data")
    result = introloop("migrate", "--verbosity", "0", env=env)
    assert result.returncode == 0, result.stderr
    return env


def http(url: str, headers=None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            http(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds}s")


def test_help_lists_the_commands(fresh_env):
    result = introloop("--help", env=fresh_env)
    assert result.returncode == 0
    for command in ("serve", "worker", "migrate", "createuser", "token", "demo"):
        assert f"\n  {command}" in result.stdout


def test_serve_createuser_token_and_the_api_against_the_running_server(fresh_env):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "introloop", "serve", "--port", str(port)],
        env=fresh_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/")
        created = introloop(
            "createuser",
            "--email",
            "eve@example.com",
            "--password",
            "a fine long passphrase",
            "--name",
            "Eve",
            env=fresh_env,
        )
        assert created.returncode == 0, created.stderr
        token = introloop("token", "--email", "eve@example.com", env=fresh_env).stdout
        token = token.strip().splitlines()[-1]

        status, _, body = http(base + "/api/v1/me", {"Authorization": f"Bearer {token}"})
        assert status == 200
        assert json.loads(body)["email"] == "eve@example.com"

        status, _, page = http(base + "/accounts/login/")
        assert status == 200
        css = page.decode().split('href="/static/vendor/pico/')[1].split('"')[0]
        status, headers, _ = http(base + "/static/vendor/pico/" + css, {"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"  # compressed by WhiteNoise
        assert "immutable" in headers["Cache-Control"]  # hashed names cache for ever
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=40)[0].decode()
    assert server.returncode == 0, output
    assert "Worker stopped" in output


def test_serve_refuses_an_unmigrated_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["INTROLOOP_DATA_DIR"] = str(tmp_path / "empty")
    result = introloop("serve", "--port", str(free_port()), env=env)
    assert result.returncode != 0
    assert "run `introloop migrate`" in result.stderr


def test_the_worker_finishes_cleanly_on_sigterm(fresh_env):
    worker = subprocess.Popen(
        [sys.executable, "-m", "introloop", "worker", "--idle-sleep", "0.2"],
        env=fresh_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    time.sleep(3)
    worker.send_signal(signal.SIGTERM)
    output = worker.communicate(timeout=20)[0].decode()
    assert worker.returncode == 0
    assert "Worker started" in output and "Worker stopped" in output


def test_demo_builds_accounts_once(fresh_env):
    first = introloop("demo", env=fresh_env)
    assert first.returncode == 0, first.stderr
    assert "Demo data created" in first.stdout
    again = introloop("demo", env=fresh_env)
    assert "exists already" in again.stdout
    rebuilt = introloop("demo", "--reset", env=fresh_env)
    assert "Demo data created" in rebuilt.stdout


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        INTROLOOP_DATA_DIR=str(tmp_path / "prod"),
        SITE_URL="https://intros.example.org",
        TRUST_PROXY_HEADERS="true",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
    )
    result = introloop("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_a_production_site_is_insecure(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(INTROLOOP_DATA_DIR=str(tmp_path / "insecure"), DEBUG="true")
    result = introloop("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr

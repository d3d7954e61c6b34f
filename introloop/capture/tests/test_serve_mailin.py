"""`introloop serve` with MAILIN_PORT: mail sent to the SMTP listener beside the web server is
read by the worker beside it, and shows in the review inbox; one SIGTERM stops all three."""

import json
import signal
import smtplib
import subprocess
import sys
import time
import urllib.request

from conftest import free_port
from introloop.ops.tests.test_serve import fresh_env, introloop, wait_for  # noqa: F401

from .conftest import MAIL


def api(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


def test_serve_runs_mailin_and_the_worker_reads_what_it_receives(fresh_env):  # noqa: F811
    env = {**fresh_env, "CAPTURE_DOMAIN": "capture.example.net"}
    made = introloop("createuser", "--email", "maya@example.com", "--password", "x" * 12, env=env)
    assert made.returncode == 0, made.stderr
    token = (
        introloop("token", "--email", "maya@example.com", env=env).stdout.strip().splitlines()[-1]
    )
    port, mail_port = free_port(), free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "introloop", "serve", "--port", str(port), "--workers", "1"],
        env={**env, "MAILIN_PORT": str(mail_port), "MAILIN_HOST": "127.0.0.1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/health")
        address = api(base + "/api/v1/me", token)["capture_address"]
        raw = (MAIL / "gmail_reply.eml").read_bytes().replace(b"\n", b"\r\n")
        deadline = time.monotonic() + 30
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", mail_port, timeout=5) as smtp:
                    smtp.sendmail("maya@example.com", [address], raw)
                break
            except OSError:
                assert time.monotonic() < deadline, "mailin did not start"
                time.sleep(0.3)
        items: list = []
        while time.monotonic() < deadline and not (items and items[0]["action"]):
            items = api(base + "/api/v1/capture/inbox", token)["items"]
            time.sleep(0.3)
        assert [(i["subject"], i["action"]) for i in items] == [
            ("Re: Carla suggested we talk", "applied")
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0].decode()
    assert server.returncode == 0, output

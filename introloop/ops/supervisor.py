"""The process `introloop serve` becomes: it starts gunicorn and the worker, and waits on them.

`serve` checks the database and collects static files with Django loaded, then replaces itself
with this module (`os.execv`), so the process that stays for the server's whole life holds no
Django and no app: standard library only (about 10 MB instead of about 100 MB). Nothing here
may import Django or another Introloop module.
"""

import argparse
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

# How long gunicorn and the worker get to finish what they are doing before they are killed:
# gunicorn's own graceful timeout, and longer than one unit of the worker's work.
STOP_TIMEOUT = 30.0


def web_command(bind: str, workers: int, threads: int, forwarded_allow_ips: str) -> list[str]:
    """gunicorn with threaded workers: a request waiting on the database blocks only its thread."""
    return [
        sys.executable, "-m", "gunicorn", "introloop.wsgi:application",
        "--bind", bind,
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--access-logfile", "-",
        "--forwarded-allow-ips", forwarded_allow_ips,
    ]  # fmt: skip


def worker_command() -> list[str]:
    return [sys.executable, "-m", "introloop", "worker"]


def mailin_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "introloop", "mailin", "--host", host, "--port", str(port)]


def supervise(commands: Sequence[list[str]]) -> int:
    """Start one child per command and wait; on SIGTERM or SIGINT, or when any child exits,
    stop the others (SIGTERM, then SIGKILL after STOP_TIMEOUT) and return an exit code.

    A child that dies stops the whole server rather than being restarted here: whatever runs
    `serve` (systemd, a container runtime) restarts it and sees the failure in the exit code.
    """
    stopping: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    children = [subprocess.Popen(command) for command in commands]  # noqa: S603 - our own
    exit_code = 0
    while not stopping:
        exited = [child for child in children if child.poll() is not None]
        if exited:
            exit_code = exited[0].returncode or 1
            command = exited[0].args
            assert isinstance(command, list)  # started from lists above: [python, "-m", module, …]
            sys.stderr.write(f"Process {command[2:4]} exited; stopping.\n")
            break
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return exit_code


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m introloop.ops.supervisor")
    parser.add_argument("--bind", required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--forwarded-allow-ips", required=True)
    parser.add_argument("--no-worker", action="store_true")
    parser.add_argument("--mailin-host", default="0.0.0.0")  # noqa: S104 - an MX listens
    parser.add_argument("--mailin-port", type=int, default=0)
    args = parser.parse_args(argv)
    commands = [web_command(args.bind, args.workers, args.threads, args.forwarded_allow_ips)]
    if not args.no_worker:
        commands.append(worker_command())
    if args.mailin_port:
        commands.append(mailin_command(args.mailin_host, args.mailin_port))
    sys.exit(supervise(commands))


if __name__ == "__main__":
    main()

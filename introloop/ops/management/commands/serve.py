import os
import signal
import subprocess
import sys
import time
from typing import cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Serve Introloop with gunicorn, with a background worker beside it unless --no-worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="gunicorn worker processes (default: WEB_CONCURRENCY or 2)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="serve web requests only; run `introloop worker` elsewhere",
        )

    def handle(self, *args, host, port, workers, no_worker, **kw):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database needs migrating first: run `introloop migrate`.")
        connection.close()
        call_command("collectstatic", interactive=False, verbosity=0)

        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        web = [
            sys.executable, "-m", "gunicorn", "introloop.wsgi:application",
            "--bind", bind,
            "--workers", str(workers),
            "--access-logfile", "-",
            "--forwarded-allow-ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        ]  # fmt: skip
        children = [subprocess.Popen(web)]  # noqa: S603 - our own interpreter and arguments
        if not no_worker:
            worker = [sys.executable, "-m", "introloop", "worker"]
            children.append(subprocess.Popen(worker))  # noqa: S603
        self.stdout.write(
            f"Introloop is serving {settings.SITE_URL} on http://{bind}/ "
            f"({'web only' if no_worker else 'web and worker'}); Ctrl-C stops it."
        )
        self._supervise(children)

    def _supervise(self, children: list[subprocess.Popen]) -> None:
        """Run until a signal or until any child exits; then stop the others and wait."""
        stopping = []

        def on_signal(signum, _frame):
            stopping.append(signum)

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        exit_code = 0
        while not stopping:
            exited = [child for child in children if child.poll() is not None]
            if exited:
                exit_code = exited[0].returncode or 1
                # Started from lists of str above: [python, "-m", module, …].
                command = cast(list[str], exited[0].args)
                self.stderr.write(f"Process {command[2:4]} exited; stopping.")
                break
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        if exit_code:
            raise SystemExit(exit_code)

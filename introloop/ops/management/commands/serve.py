import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = (
        "Serve Introloop with gunicorn (threaded workers), with a background worker beside it "
        "unless --no-worker."
    )

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
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", "4")),
            help="request threads in each worker process (default: WEB_THREADS or 4)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="serve web requests only; run `introloop worker` elsewhere",
        )

    def handle(self, *args, host, port, workers, threads, no_worker, **kw):
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database needs migrating first: run `introloop migrate`.")
        connection.close()
        call_command("collectstatic", interactive=False, verbosity=0)

        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.stdout.write(
            f"Introloop is serving {settings.SITE_URL} on http://{bind}/ "
            f"({'web only' if no_worker else 'web and worker'}, {workers} web process(es) "
            f"of {threads} thread(s)); Ctrl-C stops it."
        )
        self.stdout.flush()
        sys.stderr.flush()
        # Become the small supervisor (same process id, so signals sent to `serve` reach it):
        # the process that lives as long as the server then holds no Django.
        supervisor = [
            sys.executable, "-m", "introloop.ops.supervisor",
            "--bind", bind,
            "--workers", str(workers),
            "--threads", str(threads),
            "--forwarded-allow-ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        ]  # fmt: skip
        if no_worker:
            supervisor.append("--no-worker")
        if settings.MAILIN_PORT:  # capture mail over SMTP beside the web (docs/capture.md)
            supervisor += ["--mailin-host", settings.MAILIN_HOST]
            supervisor += ["--mailin-port", str(settings.MAILIN_PORT)]
        os.execv(sys.executable, supervisor)  # noqa: S606 - our own interpreter and arguments

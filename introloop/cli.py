"""The `introloop` command: Django's management commands, introduced by Introloop's own help."""

import os
import sys

USAGE = """\
usage: introloop <command> [options]

Introloop makes sure no introduction in a job search is ever dropped.

Commands:
  serve [--host H] [--port P] [--workers N] [--threads T] [--no-worker]
                       serve the web app with gunicorn, with the background worker beside it
  worker [--once]      deliver mail and run scheduled work (run one or more per installation)
  mailin [--host H] [--port P]
                       receive mail for capture addresses over SMTP (also beside `serve`
                       when MAILIN_PORT is set)
  capture_replay [--email E]
                       read stored capture mail again, after a parser fix
  migrate              create or update the database tables
  createuser --email E --password P [--name N] [--staff]
                       create an account non-interactively
  token --email E [--name N]
                       create an API token for an account; the token is the last line printed
  demo [--reset]       fill the database with a realistic demo dataset
  check [--deploy]     check the configuration
  status [--json]      is it healthy? database, worker, outbox, storage; exits 1 if not
  backup FILE          back up the database (SQLite: while serving; PostgreSQL: pg_dump)
  restore FILE         restore a backup into an empty data directory or database

Every Django management command also works: `introloop help --commands` lists them all,
`introloop <command> --help` explains one. Configuration comes from environment variables;
see README.md.
"""


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "introloop.settings")
    if len(argv) < 2 or argv[1] in ("-h", "--help") or argv[1:] == ["help"]:
        sys.stdout.write(USAGE)
        return
    from django.core.management import execute_from_command_line

    argv[0] = "introloop"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()

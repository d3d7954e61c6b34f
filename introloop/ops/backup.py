"""Backups that restore: SQLite through its online backup API (safe while Introloop serves),
PostgreSQL through pg_dump and pg_restore."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


def backup(target: Path) -> str:
    """Write a consistent copy of the database to `target`; returns what was done."""
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name.")
    if connection.vendor == "sqlite":
        source = sqlite3.connect(connection.settings_dict["NAME"])
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # a snapshot, while others go on reading and writing
        finally:
            copy.close()
            source.close()
        return f"SQLite database copied to {target}."
    return _pg("pg_dump", "--format=custom", "--no-owner", f"--file={target}", _dsn())


def restore(source: Path) -> str:
    """Load a backup into this installation's database, which must be empty."""
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    head = source.read_bytes()[:16]
    if connection.vendor == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not an SQLite backup made by `introloop backup`.")
        _refuse_unless_empty()
        connection.close()
        target = sqlite3.connect(connection.settings_dict["NAME"])
        backup_file = sqlite3.connect(source)
        try:
            backup_file.backup(target)
            (check,) = target.execute("PRAGMA integrity_check").fetchone()
        finally:
            backup_file.close()
            target.close()
        if check != "ok":
            raise BackupError(f"The restored database failed its integrity check: {check}")
        return f"Restored {source} into {connection.settings_dict['NAME']}."
    if not head.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{source} is not a pg_dump custom-format backup.")
    _refuse_unless_empty()
    connection.close()
    return _pg("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_dsn()}", str(source))


def _refuse_unless_empty() -> None:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        raise BackupError(
            f"The database already has {len(tables)} tables. Restore into an empty data "
            "directory (INTROLOOP_DATA_DIR) or an empty database (DATABASE_URL)."
        )


def _dsn() -> str:
    s = connection.settings_dict
    parts = {"host": s["HOST"], "port": s["PORT"], "user": s["USER"], "dbname": s["NAME"]}
    return " ".join(f"{key}={value}" for key, value in parts.items() if value)


def _pg(program: str, *args: str) -> str:
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} is not on the PATH. Install PostgreSQL's client tools (Debian: "
            f"apt-get install postgresql-client), or back up with pg_dump yourself."
        )
    env = {**os.environ, "PGPASSWORD": connection.settings_dict["PASSWORD"] or ""}
    done = subprocess.run(  # noqa: S603 - PostgreSQL's own tool, our arguments
        [program, *args], capture_output=True, text=True, env=env
    )
    if done.returncode:
        raise BackupError(f"{program} failed: {done.stderr.strip()}")
    return f"{program} done."

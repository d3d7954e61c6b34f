"""A backup taken while Introloop writes restores, into a new data directory or database, to
the same rows in every table."""

import os
import subprocess
import sys
import threading

import psycopg
import pytest
from django.db import connection

from conftest import database_url
from introloop.network.tests.factories import contact

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "introloop", *args], capture_output=True, text=True,
        env={**os.environ, **env}, timeout=120,
    )  # fmt: skip


def rows_of(execute) -> dict[str, set[tuple]]:
    tables = [t for (t,) in execute(TABLES[connection.vendor])]
    return {t: {tuple(map(str, row)) for row in execute(f'SELECT * FROM "{t}"')}  # noqa: S608
            for t in tables}  # fmt: skip


TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
}


def rows_here() -> dict[str, set[tuple]]:
    """Every row of the live database, read as the restored copy is (raw driver values)."""
    if connection.vendor == "sqlite":
        import sqlite3

        live = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            return rows_of(lambda sql: live.execute(sql).fetchall())
        finally:
            live.close()

    def execute(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    return rows_of(execute)


def backup_under_writes(alice, path) -> tuple[subprocess.CompletedProcess, dict]:
    """Back up while another thread keeps adding contacts; the rows before it started."""
    for n in range(20):
        contact(alice, f"Before {n}")
    before = rows_here()
    stop, written = threading.Event(), []

    def write():
        try:
            while not stop.is_set():
                written.append(contact(alice, f"During {len(written)}"))
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        done = run("backup", str(path), env=_env_here())
    finally:
        stop.set()
        writer.join()
    assert written  # the backup ran while contacts were being added
    return done, before


def _env_here() -> dict:
    return {"DATABASE_URL": database_url()}


def test_a_backup_under_writes_restores_every_table(alice, tmp_path):
    path = tmp_path / "introloop.backup"
    done, before = backup_under_writes(alice, path)
    assert done.returncode == 0, done.stderr
    after = rows_here()

    restored = restore_elsewhere(path, tmp_path)

    assert set(restored) == set(after)
    for table, rows in restored.items():
        assert before[table] <= rows <= after[table], table  # a consistent moment in between
    assert len(restored["network_contact"]) >= 20


def restore_elsewhere(path, tmp_path) -> dict[str, set[tuple]]:
    if connection.vendor == "sqlite":
        new_dir = tmp_path / "restored"
        new_dir.mkdir()
        done = run("restore", str(path), env={"INTROLOOP_DATA_DIR": str(new_dir),
                                              "DATABASE_URL": ""})  # fmt: skip
        assert done.returncode == 0, done.stderr
        import sqlite3

        restored = sqlite3.connect(new_dir / "introloop.sqlite3")
        try:
            return rows_of(lambda sql: restored.execute(sql).fetchall())
        finally:
            restored.close()
    name = connection.settings_dict["NAME"] + "_restored"
    admin = psycopg.connect(database_url("postgres"), autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        done = run("restore", str(path), env={"DATABASE_URL": database_url(name)})
        assert done.returncode == 0, done.stderr
        with psycopg.connect(database_url(name)) as restored:
            return rows_of(lambda sql: restored.execute(sql).fetchall())
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_restore_refuses_a_database_that_is_not_empty(alice, tmp_path):
    path = tmp_path / "introloop.backup"
    assert run("backup", str(path), env=_env_here()).returncode == 0
    refused = run("restore", str(path), env=_env_here())
    assert refused.returncode != 0
    assert "already has" in refused.stderr

"""Bulk work that the reminder sweep, the outbox and contact imports share: writing many rows
at once, and pausing Python's cyclic garbage collector while millions of objects are made."""

import gc
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Plain rows into `table`, in the caller's transaction: COPY on PostgreSQL (no parameters
    to quote client-side, no INSERT to parse per row), one executemany on SQLite."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


_paused = 0
_paused_lock = threading.Lock()
_was_enabled = True


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during bulk work.

    A sweep or a large import makes millions of short-lived objects, none in a cycle (they
    are freed by reference counting alone); each full collection walks all of them again: a
    fifth of a sweep, a quarter of a 200,000-row import on SQLite. Nested and threaded uses
    share one pause; the collector resumes when the last one ends.
    """
    global _paused, _was_enabled
    with _paused_lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()

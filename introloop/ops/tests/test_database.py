"""Datetimes come back from the database exactly as they went in, aware and in UTC (on
PostgreSQL through Introloop's timestamptz loader, see ops/database.py)."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from introloop.outbox.models import Message

pytestmark = pytest.mark.django_db

MOMENTS = [
    datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),  # just before London springs forward
    datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo("Europe/London")),  # back on GMT
    datetime(2026, 11, 23, 23, 30, tzinfo=timezone(timedelta(hours=-10))),  # Honolulu, late
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(2099, 12, 31, 23, 59, 59, 123456, tzinfo=timezone(timedelta(hours=13))),
]


def test_datetimes_read_back_are_the_same_moments_in_utc():
    ids = []
    for n, moment in enumerate(MOMENTS):
        message = Message.objects.create(
            to=[], subject="x", message_id=f"<{n}@test>", next_attempt_at=moment
        )
        ids.append(message.id)
    read = [Message.objects.get(id=i).next_attempt_at for i in ids]
    assert read == MOMENTS
    assert all(value.utcoffset() == timedelta(0) for value in read)
    ordered = Message.objects.order_by("next_attempt_at").values_list("next_attempt_at", flat=True)
    assert list(ordered) == sorted(MOMENTS)

"""Staff's lists of accounts and of stopped addresses cost the same with 10 or 200 rows."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from introloop.outbox.models import StoppedAddress
from introloop.outbox.services import queue_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(charlie):
    client = Client()
    client.force_login(charlie)
    return client


def _queries(client, url: str) -> tuple[int, str]:
    client.get(url)
    with CaptureQueriesContext(connection) as counted:
        response = client.get(url)
    assert response.status_code == 200
    return len(counted.captured_queries), response.content.decode()


def _add(start: int, count: int) -> None:
    for n in range(start, start + count):
        user = make_user(f"person{n}@example.com", f"Person {n:03d}")
        queue_message(to=[f"friend{n}@example.org"], subject="Hello", body_text="Hi",
                      user=user, sent_for=user)  # fmt: skip
        StoppedAddress.objects.create(email=f"stopped{n}@example.org")


@pytest.mark.parametrize("route", ["ops:accounts", "outbox:stopped"])
def test_staff_lists_cost_the_same_with_10_or_200_rows(staff_client, route):
    _add(0, 10)
    with_10, _ = _queries(staff_client, reverse(route))
    _add(10, 190)
    with_200, html = _queries(staff_client, reverse(route))
    assert "@example.com" in html if route == "ops:accounts" else "stopped1" in html
    assert with_200 == with_10 <= 8

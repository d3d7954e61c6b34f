"""Many wrong passwords at the same moment: the limit holds, on both databases."""

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from introloop.accounts.models import FailedLogin

pytestmark = pytest.mark.django_db(transaction=True)


def test_forty_simultaneous_wrong_passwords_get_at_most_the_limit_checked(alice):
    barrier = threading.Barrier(40)
    answers: list[str] = []

    def guess(n: int) -> None:
        try:
            barrier.wait()
            response = Client(REMOTE_ADDR=f"10.0.0.{n}").post(
                reverse("accounts:login"), {"username": alice.email, "password": f"guess-{n}"}
            )
            answers.append(response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    checked = sum("do not match an account" in page for page in answers)
    refused = sum("Too many failed attempts" in page for page in answers)
    assert len(answers) == 40
    assert checked <= settings.LOGIN_FAILURE_LIMIT
    assert checked + refused == 40
    assert FailedLogin.objects.count() == 2 * checked  # the address's and each IP's count

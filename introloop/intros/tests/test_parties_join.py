"""Introductions that name an address show in the account of whoever proves it is theirs."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from introloop.accounts.models import User
from introloop.accounts.services import change_email
from introloop.intros.services import Party

from .factories import intro

pytestmark = pytest.mark.django_db
CARA = Party("Cara Diaz", "cara@example.org")


def test_an_account_made_with_createuser_sees_the_introductions_that_named_it(alice):
    logged = intro(alice, connector=CARA)  # Alice asked Cara, who has no account yet

    call_command("createuser", "--email", "Cara@Example.org", "--password",
                 "a fine long passphrase", stdout=StringIO())  # fmt: skip

    cara = User.objects.get(email="cara@example.org")
    client = Client()
    client.force_login(cara)
    assert client.get(f"/intros/{logged.id}/").status_code == 200
    assert logged.seeker_name in client.get("/intros/made/").content.decode()


def test_a_changed_address_counts_only_once_it_is_confirmed(alice, bob):
    logged = intro(alice, connector=CARA)
    client = Client()
    client.force_login(bob)

    assert change_email(bob, "cara@example.org", timezone.now())
    assert client.get(f"/intros/{logged.id}/").status_code == 404  # not verified yet
    assert User.objects.get(pk=bob.pk).email_verified_at is None

"""The demo's password is published: its accounts must not be able to hurt anyone."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from introloop.accounts.models import User

pytestmark = pytest.mark.django_db


def test_demo_accounts_are_never_staff_and_the_deploy_check_warns_until_removed():
    call_command("demo", stdout=StringIO())
    demo = User.objects.filter(email__endswith="@demo.introloop.test")
    assert demo.count() == 3
    assert not demo.filter(is_staff=True).exists()

    with pytest.raises(SystemCheckError, match="demo accounts"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security",
                     stdout=StringIO(), stderr=StringIO())  # fmt: skip

    call_command("demo", "--remove", stdout=StringIO())
    assert not User.objects.filter(email__endswith="@demo.introloop.test").exists()
    call_command("check", "--deploy", "--tag", "security", stdout=StringIO(),
                 stderr=StringIO())  # fmt: skip


def test_every_address_in_the_demo_is_in_the_demo_domain():
    from introloop.intros.models import Intro
    from introloop.network.models import ContactEmail

    call_command("demo", stdout=StringIO())
    addresses = set(ContactEmail.objects.values_list("email", flat=True))
    for role in ("connector", "seeker", "target"):
        addresses |= set(Intro.objects.values_list(f"{role}_email", flat=True))
    addresses |= set(User.objects.values_list("email", flat=True))
    assert len(addresses) > 20
    assert {a for a in addresses if a and not a.endswith("demo.introloop.test")} == set()

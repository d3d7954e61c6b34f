"""Nobody can use Introloop to send their words to strangers: not before their address is
confirmed, not beyond a daily allowance, not once staff blocked them."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import api_token_for, make_user
from introloop.accounts.models import User
from introloop.intros.services import Party
from introloop.outbox.models import Message
from introloop.reminders.sweep import sweep

from .factories import intro

pytestmark = pytest.mark.django_db


def stranger(n: int) -> Party:
    return Party(f"Stranger {n}", f"stranger{n}@example.org")


def ask_by_email(client, intro_id: int):
    return client.post(f"/intros/{intro_id}/send/ask/", follow=True)


def test_an_unconfirmed_account_cannot_have_the_app_write_to_anyone(client):
    eve = make_user("eve@example.com", "Eve Evans", verified=False)
    client.force_login(eve)
    logged = intro(eve, connector=Party(eve.display_name, eve.email), seeker=stranger(1),
                   target=stranger(2))  # fmt: skip

    page = ask_by_email(client, logged.id).content.decode()
    assert "Confirm your email address first" in page
    api = Client().post(f"/api/v1/intros/{logged.id}/send", {"what": "ask"},
                        content_type="application/json",
                        headers={"Authorization": f"Bearer {api_token_for(eve)}"})  # fmt: skip
    assert api.status_code == 403
    assert not Message.objects.filter(sent_for=eve).exists()
    assert not Message.objects.filter(to__icontains="stranger").exists()


def test_a_new_account_sends_at_most_its_daily_allowance(client, settings, alice):
    settings.OTHERS_EMAILS_PER_DAY_NEW = 3
    client.force_login(alice)
    sent = []
    for n in range(5):
        logged = intro(alice, connector=Party(alice.display_name, alice.email),
                       seeker=stranger(100 + n), target=stranger(n))  # fmt: skip
        sent.append(ask_by_email(client, logged.id).content.decode())

    assert sum("Sent to" in page for page in sent) == 3
    assert "the most it sends for a new account in a day" in sent[3]
    assert Message.objects.filter(sent_for=alice).count() == 3


def test_staff_block_an_account_its_queued_mail_to_others_goes_nowhere(client, alice, charlie):
    logged = intro(alice, connector=Party(alice.display_name, alice.email),
                   seeker=stranger(1), target=stranger(2))  # fmt: skip
    alice_client = Client()
    alice_client.force_login(alice)
    ask_by_email(alice_client, logged.id)
    assert Message.objects.filter(sent_for=alice, status="queued").count() == 1

    client.force_login(charlie)
    page = client.get("/staff/accounts/").content.decode()
    assert alice.email in page
    done = client.post(f"/staff/accounts/{alice.id}/block/", {"action": "block"}, follow=True)

    assert "1 queued email to others dropped" in done.content.decode()
    assert not User.objects.get(pk=alice.pk).is_active
    assert not Message.objects.filter(sent_for=alice).exists()
    assert alice_client.get("/today/").status_code == 302  # logged out
    assert Client().get("/staff/accounts/").status_code == 302
    other = Client()
    other.force_login(User.objects.create_user(email="x@example.com", password="p4ssw0rd-long"))
    assert other.get("/staff/accounts/").status_code == 404


def test_the_sweep_writes_nobody_for_an_unconfirmed_account():
    eve = make_user("eve@example.com", "Eve Evans", verified=False)
    week_ago = timezone.now() - timedelta(days=8)
    intro(eve, connector=Party(eve.display_name, eve.email), seeker=stranger(1),
          target=stranger(2), start="introduced", at=week_ago, double_opt_in=False)  # fmt: skip

    sweep(timezone.now())

    assert not Message.objects.filter(to__icontains="stranger").exists()  # no nudge, no check-in

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from introloop.accounts.models import ApiToken, User
from introloop.accounts.services import create_api_token
from introloop.outbox.models import Message
from introloop.outbox.services import queue_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_with_data(alice, bob):
    for user in (alice, bob):
        create_api_token(user, "t", timezone.now())
        queue_message(to=[user.email], subject="s", body_text="b", user=user)
    return alice


def test_the_page_explains_and_asks_for_the_password(alice_client, alice_with_data):
    response = alice_client.get(reverse("portability:delete_account"))
    assert "This cannot be undone." in response.content.decode()
    assert User.objects.filter(pk=alice_with_data.pk).exists()


def test_a_wrong_password_deletes_nothing(alice_client, alice_with_data):
    response = alice_client.post(reverse("portability:delete_account"), {"password": "nope"})
    assert response.status_code == 200
    assert "That is not your current password." in response.content.decode()
    assert User.objects.count() == 2
    assert ApiToken.objects.count() == 2


def test_deleting_removes_the_account_and_all_its_data_and_logs_out(
    alice_client, alice_with_data, bob
):
    response = alice_client.post(reverse("portability:delete_account"), {"password": PASSWORD})

    assert response.status_code == 302
    assert not User.objects.filter(email="alice@example.com").exists()
    assert list(ApiToken.objects.values_list("user__email", flat=True)) == [bob.email]
    assert list(Message.objects.values_list("user__email", flat=True)) == [bob.email]
    assert "_auth_user_id" not in alice_client.session
    page = alice_client.get(reverse("accounts:login")).content.decode()
    assert "Your account and all your data were deleted." in page


def test_introductions_shared_with_others_stay_theirs_without_my_details(alice_client, alice):
    from conftest import make_user
    from introloop.intros.models import Intro
    from introloop.intros.services import Party
    from introloop.intros.tests.factories import intro

    sam = make_user("sam@example.com", "Sam Okafor")
    shared = intro(alice, connector=Party("Sam Okafor", sam.email))
    mine_only = intro(alice, connector=Party("Zed", "zed@example.org"))

    alice_client.post(reverse("portability:delete_account"), {"password": PASSWORD})

    assert not Intro.objects.filter(pk=mine_only.pk).exists()
    kept = Intro.objects.get(pk=shared.pk)
    assert (kept.seeker_name, kept.seeker_email, kept.seeker_user) == ("A former member", "", None)
    assert kept.created_by == sam
    assert "alice" not in str(Intro.objects.filter(pk=shared.pk).values().get()).lower()


def test_the_outbox_forgets_my_address_and_name_and_keeps_only_counts(alice_client, alice, bob):
    from introloop.outbox.models import ForgottenSent

    sent = queue_message(to=[alice.email], subject="Your digest", body_text="…")
    Message.objects.filter(pk=sent.pk).update(status="sent", sent_at=timezone.now())
    queue_message(to=["tom@example.org"], cc=[alice.email], subject="Introduction", body_text="…")
    queue_message(to=[bob.email], subject="Alice Archer is 3 days late with Tom Hale",
                  body_text="A heads-up: Alice Archer was due to write.")  # fmt: skip

    alice_client.post(reverse("portability:delete_account"), {"password": PASSWORD})

    left = list(Message.objects.values("subject", "body_text", "to", "cc"))
    assert "alice" not in str(left).lower()
    assert [m["subject"] for m in left] == ["a former member is 3 days late with Tom Hale"]
    assert sum(ForgottenSent.objects.values_list("count", flat=True)) == 1

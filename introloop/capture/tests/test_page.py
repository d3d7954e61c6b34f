"""The capture page: the address and a new one, the inbox, one-click accept and dismiss."""

from django.urls import reverse

from introloop.capture import intake
from introloop.capture.models import CapturedMessage

from .conftest import mail
from .test_actions import MAYA, capture, intro_of


def test_the_page_shows_the_address_and_a_new_one_replaces_it(alice_client, alice, capture_on):
    old = intake.capture_address(alice)
    page = alice_client.get(reverse("capture:inbox"))
    assert page.status_code == 200 and old in page.content.decode()
    assert "New address" in page.content.decode()
    alice_client.post(reverse("capture:new_address"))
    assert intake.user_for_address(old) is None
    assert (
        intake.capture_address(alice) in alice_client.get(reverse("capture:inbox")).content.decode()
    )


def test_a_proposal_is_accepted_in_one_click(alice_client, alice):
    intro = intro_of(alice, "met")
    row = capture(alice, mail(MAYA, "tom@example.org", "Thank you Tom", "Thanks for your time!"))
    page = alice_client.get(reverse("capture:inbox")).content.decode()
    assert "Thank you Tom" in page and reverse("capture:accept", args=[row.pk]) in page
    alice_client.post(reverse("capture:accept", args=[row.pk]))
    intro.refresh_from_db()
    assert intro.state == "thanked"
    page = alice_client.get(reverse("capture:inbox")).content.decode()
    assert reverse("capture:accept", args=[row.pk]) not in page


def test_a_proposal_is_dismissed_in_one_click(alice_client, alice):
    intro = intro_of(alice, "met")
    row = capture(alice, mail(MAYA, "tom@example.org", "Thank you Tom", "Thanks for your time!"))
    alice_client.post(reverse("capture:dismiss", args=[row.pk]))
    row.refresh_from_db()
    intro.refresh_from_db()
    assert row.resolution == "dismissed" and intro.state == "met"


def test_someone_elses_message_is_404(client, alice, bob):
    intro_of(alice, "met")
    row = capture(alice, mail(MAYA, "tom@example.org", "Thanks", "Thank you!"))
    client.force_login(bob)
    assert client.post(reverse("capture:accept", args=[row.pk])).status_code == 404
    assert row.pk not in [m.pk for m in CapturedMessage.objects.filter(owner=bob)]


def test_get_never_accepts(alice_client, alice):
    intro_of(alice, "met")
    row = capture(alice, mail(MAYA, "tom@example.org", "Thanks", "Thank you!"))
    assert alice_client.get(reverse("capture:accept", args=[row.pk])).status_code == 405


def test_proposals_are_on_today_and_in_the_api(alice_client, alice, alice_api):
    intro_of(alice, "met")
    row = capture(alice, mail(MAYA, "tom@example.org", "Thank you Tom", "Thanks for your time!"))
    today = alice_client.get(reverse("today")).content.decode()
    assert reverse("capture:today") in today  # the section Today loads beside itself
    page = alice_client.get(reverse("capture:today")).content.decode()
    assert "From your email" in page and reverse("capture:accept", args=[row.pk]) in page
    proposals = alice_api.get("/api/v1/today").json()["proposals"]
    assert [(p["id"], p["event"], p["from"]) for p in proposals] == [
        (row.pk, "thanked", "alice@example.com")
    ]
    alice_api.post(f"/api/v1/capture/inbox/{row.pk}/dismiss")
    assert alice_api.get("/api/v1/today").json()["proposals"] == []
    assert "From your email" not in alice_client.get(reverse("capture:today")).content.decode()

"""/api/v1/me/notifications and /me/calendar/regenerate (Settings → Notifications)."""

from urllib.parse import urlparse

import pytest
from django.test import Client

from introloop.reminders.models import NotificationSettings

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/notifications"
DEFAULTS = {"digest_enabled": True, "digest_hour": 8, "escalations_enabled": True,
            "escalation_grace_days": 3, "outcomes_enabled": True}  # fmt: skip


def test_it_reads_the_defaults_and_changes_only_what_is_sent(alice_api, alice):
    body = alice_api.get(URL).json()
    assert urlparse(body.pop("calendar_url")).path.endswith(".ics")
    assert body == DEFAULTS

    changed = alice_api.patch(URL, json={"digest_hour": 7, "escalations_enabled": False})
    assert changed.status_code == 200
    changed = changed.json()
    del changed["calendar_url"]
    assert changed == {**DEFAULTS, "digest_hour": 7, "escalations_enabled": False}
    saved = NotificationSettings.objects.get(user=alice)
    assert (saved.digest_hour, saved.escalations_enabled, saved.digest_enabled) == (7, False, True)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"digest_hour": 24}, "digest_hour"),
        ({"digest_hour": "eight"}, "digest_hour"),
        ({"escalation_grace_days": 0}, "escalation_grace_days"),
        ({"escalation_grace_days": 31}, "escalation_grace_days"),
        ({"digest_enabled": "sometimes"}, "digest_enabled"),
        ({"digest_enabled": None}, "digest_enabled"),
        ({"weekly_digest": True}, "weekly_digest"),
    ],
)
def test_bad_values_are_a_422_naming_the_field_and_change_nothing(alice_api, alice, change, field):
    response = alice_api.patch(URL, json={"outcomes_enabled": False, **change})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    saved = NotificationSettings.objects.filter(user=alice).first()
    assert saved is None or saved.outcomes_enabled is True


def test_a_new_calendar_address_kills_the_old_one(alice_api, alice):
    old = urlparse(alice_api.get(URL).json()["calendar_url"]).path
    assert Client().get(old).status_code == 200

    response = alice_api.post("/api/v1/me/calendar/regenerate")

    assert response.status_code == 200
    new = urlparse(response.json()["calendar_url"]).path
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert urlparse(alice_api.get("/api/v1/me").json()["calendar_url"]).path == new


def test_each_person_changes_only_their_own(alice_api, bob_api, alice, bob):
    alice_api.patch(URL, json={"digest_enabled": False})
    bob_calendar = bob_api.get(URL).json()["calendar_url"]
    alice_api.post("/api/v1/me/calendar/regenerate")
    assert bob_api.get(URL).json() == {**DEFAULTS, "calendar_url": bob_calendar}

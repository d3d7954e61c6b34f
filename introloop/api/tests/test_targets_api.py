"""/api/v1/me/targets: weekly outreach, referrals to collect and the weekly summary."""

import pytest

from introloop.goals.models import Targets

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/targets"


def test_it_reads_and_changes_my_targets_and_the_dashboard_follows(alice_api, alice, bob_api):
    assert alice_api.get(URL).json() == {
        "weekly_outreach": 5, "referrals": 100, "weekly_summary": True,
    }  # fmt: skip

    changed = alice_api.patch(URL, json={"weekly_outreach": 8, "weekly_summary": False})

    assert changed.json() == {"weekly_outreach": 8, "referrals": 100, "weekly_summary": False}
    stats = alice_api.get("/api/v1/stats").json()
    assert (stats["outreach_target"], stats["referral_target"]) == (8, 100)
    assert Targets.objects.get(user=alice).weekly_summary is False
    assert bob_api.get(URL).json()["weekly_outreach"] == 5


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weekly_outreach": 0}, "weekly_outreach"),
        ({"weekly_outreach": 101}, "weekly_outreach"),
        ({"referrals": 1001}, "referrals"),
        ({"referrals": "lots"}, "referrals"),
        ({"weekly_summary": None}, "weekly_summary"),
        ({"weekly_summary": "weekly"}, "weekly_summary"),
        ({"monthly_summary": True}, "monthly_summary"),
    ],
)
def test_bad_targets_are_a_422_naming_the_field_and_change_nothing(alice_api, change, field):
    response = alice_api.patch(URL, json={"referrals": 50, **change})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert not Targets.objects.exists()

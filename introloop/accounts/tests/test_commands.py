from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from introloop.accounts.models import User

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_createuser_then_token_then_the_api_answers_for_that_user():
    run(
        "createuser",
        "--email",
        "Eve@Example.com",
        "--password",
        "a fine long passphrase",
        "--name",
        "Eve Evans",
    )
    user = User.objects.get()
    assert user.email == "eve@example.com"
    assert user.name == "Eve Evans"
    assert user.check_password("a fine long passphrase")
    assert user.is_verified
    assert not user.is_staff

    token = run("token", "--email", "eve@example.com").strip().splitlines()[-1]

    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.json()
    assert body.pop("calendar_url").startswith("http://127.0.0.1:8000/calendar/")
    assert body == {
        "id": user.id,
        "email": "eve@example.com",
        "name": "Eve Evans",
        "time_zone": "UTC",
        "email_verified": True,
        "capture_address": None,  # capture is off without CAPTURE_DOMAIN
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "nope", "--password", "a fine long passphrase"], "not a valid email"),
        (["--email", "a@example.com", "--password", "123"], "Password refused"),
        (
            [
                *["--email", "a@example.com", "--time-zone", "Moon/Base", "--password"],
                "a long passphrase",
            ],
            "Unknown time zone",
        ),
    ],
)
def test_createuser_explains_what_is_wrong(args, message):
    with pytest.raises(CommandError, match=message):
        run("createuser", *args)
    assert not User.objects.exists()


def test_createuser_refuses_an_existing_address(alice):
    with pytest.raises(CommandError, match="already exists"):
        run("createuser", "--email", "ALICE@example.com", "--password", "a fine long passphrase")


def test_createuser_can_make_staff_with_a_simple_password():
    run(
        "createuser",
        "--email",
        "ops@example.com",
        "--password",
        "admin",
        "--staff",
        "--skip-password-checks",
    )
    assert User.objects.get().is_staff


def test_token_for_an_unknown_account_fails_clearly(db):
    with pytest.raises(CommandError, match="No account with the email"):
        run("token", "--email", "ghost@example.com")

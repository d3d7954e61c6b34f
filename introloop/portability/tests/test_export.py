import json

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from introloop.accounts.services import create_api_token
from introloop.outbox.services import queue_message
from introloop.portability.services import COVERED_MODELS, SECTIONS

pytestmark = pytest.mark.django_db


def download(client) -> dict:
    response = client.get(reverse("portability:export_download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="introloop-export-')
    return json.loads(response.content)


def test_the_export_holds_my_profile_tokens_and_emails_and_nothing_of_others(
    alice_client, alice, bob
):
    _, raw = create_api_token(alice, "laptop", timezone.now())
    create_api_token(bob, "bob's token", timezone.now())
    queue_message(to=[alice.email], subject="For Alice", body_text="Hi Alice", user=alice)
    queue_message(to=[bob.email], subject="For Bob", body_text="Hi Bob", user=bob)

    data = download(alice_client)

    assert data["format"] == "introloop-export"
    assert data["account"]["email"] == "alice@example.com"
    assert data["account"]["time_zone"] == "Europe/Paris"
    assert [t["name"] for t in data["api_tokens"]] == ["laptop"]
    assert [m["subject"] for m in data["emails"]] == ["For Alice"]
    text = json.dumps(data)
    assert raw not in text and "token_hash" not in text and "password" not in text
    assert "bob" not in text.lower()


def test_every_model_that_holds_a_users_rows_is_exported_and_deleted_with_them():
    """Grows by itself: a new model pointing at users fails here until it is exported."""
    holding = {"accounts.User"}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.OneToOneField)
                and field.related_model._meta.label == settings.AUTH_USER_MODEL
                and model._meta.app_label not in ("auth", "admin", "contenttypes", "sessions")
            ):
                holding.add(model._meta.label)
                assert field.remote_field.on_delete in (models.CASCADE, models.SET_NULL), (
                    f"{model._meta.label}.{field.name} would block deleting an account"
                )
    assert holding == set(COVERED_MODELS), "add the model to portability.services"
    assert set(COVERED_MODELS.values()) <= set(SECTIONS)


def test_the_export_needs_a_login(client, db):
    response = client.get(reverse("portability:export_download"))
    assert response.status_code == 302

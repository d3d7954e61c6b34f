"""/api/v1/me: your account and its settings (Settings → Profile, Notifications, API tokens,
Data)."""

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field, field_validator

from introloop import access
from introloop.accounts.models import ApiToken, hash_token
from introloop.accounts.requests import ApiRequest
from introloop.accounts.services import revoke_api_token
from introloop.capture.intake import capture_address
from introloop.portability.services import export_user_data
from introloop.reminders.forms import NotificationSettingsForm
from introloop.reminders.services import regenerate_calendar_token, save_notification_settings
from introloop.reminders.services import settings_for as reminder_settings_for

from .contacts import _form_errors
from .parser import Input

router = Router(tags=["me"])


class MeOut(Schema):
    id: int
    email: str
    name: str
    time_zone: str
    email_verified: bool
    calendar_url: str
    capture_address: str | None  # Bcc/forward mail here to capture it; null when off


class MePatch(Schema):
    name: str | None = Field(default=None, max_length=150)
    time_zone: str | None = None

    @field_validator("time_zone")
    @classmethod
    def known_time_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in zoneinfo.available_timezones():
            raise ValueError(f"Unknown time zone {value!r}; use an IANA name like Europe/Paris")
        return value


class NotificationsOut(Schema):
    digest_enabled: bool  # the daily digest of what is due
    digest_hour: int  # 0 to 23, in your time zone
    escalations_enabled: bool  # heads-ups when someone you introduced is late
    escalation_grace_days: int  # days late before a heads-up, 1 to 30
    outcomes_enabled: bool  # what came of introductions you made
    calendar_url: str  # the private calendar feed


class NotificationsPatch(Input):
    digest_enabled: bool | None = None
    digest_hour: int | None = None
    escalations_enabled: bool | None = None
    escalation_grace_days: int | None = None
    outcomes_enabled: bool | None = None


class CalendarOut(Schema):
    calendar_url: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str  # the token's first characters, to tell tokens apart
    created_at: datetime
    last_used_at: datetime | None
    current: bool  # the token this request came with


class ExportOut(Schema):
    """Everything Introloop keeps about you: the same document as Settings → Data. (A test
    checks that no section of portability's export is missing here.)"""

    format: str
    format_version: int
    introloop_version: str
    exported_at: str
    account: dict
    api_tokens: list[dict]
    emails: list[dict]  # the emails sent for you
    contacts: list[dict]
    interactions: list[dict]
    imports: list[dict]
    introductions: list[dict]
    introduction_settings: dict
    notifications: dict
    goals: dict
    captured_mail: list[dict]  # what capture from email read of each message and did


def calendar_url(token: str) -> str:
    return settings.SITE_URL + reverse("reminders:calendar", args=[token])


def _me(user) -> MeOut:
    return MeOut(
        id=user.id,
        email=user.email,
        name=user.name,
        time_zone=user.time_zone,
        email_verified=user.is_verified,
        calendar_url=calendar_url(reminder_settings_for(user).calendar_token),
        capture_address=capture_address(user),
    )


@router.get("/me", response=MeOut, summary="The account the token belongs to")
def get_me(request: ApiRequest) -> MeOut:
    return _me(request.auth)


@router.patch("/me", response=MeOut, summary="Change your display name or time zone")
def patch_me(request: ApiRequest, payload: MePatch) -> MeOut:
    user = request.auth
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    for field, value in changes.items():
        setattr(user, field, value.strip() if field == "name" else value)
    if changes:
        user.save(update_fields=list(changes))
    return _me(user)


NOTIFICATION_FIELDS = ("digest_enabled", "digest_hour", "escalations_enabled",
                       "escalation_grace_days", "outcomes_enabled")  # fmt: skip


def _notifications_out(current) -> dict:
    return {
        **{f: getattr(current, f) for f in NOTIFICATION_FIELDS},
        "calendar_url": calendar_url(current.calendar_token),
    }


@router.get("/me/notifications", response=NotificationsOut, summary="Your notification settings")
def get_notifications(request: ApiRequest):
    return _notifications_out(reminder_settings_for(request.auth))


@router.patch(
    "/me/notifications", response=NotificationsOut, summary="Change some notification settings"
)
def patch_notifications(request: ApiRequest, payload: NotificationsPatch):
    changes = payload.changes()
    current = reminder_settings_for(request.auth)
    values = {**{f: getattr(current, f) for f in NOTIFICATION_FIELDS}, **changes}
    form = NotificationSettingsForm(values, instance=current)
    if not form.is_valid():
        raise _form_errors(form)
    saved = save_notification_settings(
        request.auth, {f: form.cleaned_data[f] for f in NOTIFICATION_FIELDS}
    )
    return _notifications_out(saved)


@router.post(
    "/me/calendar/regenerate",
    response=CalendarOut,
    summary="A new private calendar address; the old one stops working",
)
def regenerate_calendar(request: ApiRequest):
    return {"calendar_url": calendar_url(regenerate_calendar_token(request.auth))}


def _current_token_hash(request: ApiRequest) -> str:
    _, _, raw = request.headers.get("Authorization", "").partition(" ")
    return hash_token(raw.strip())


def _token_out(token: ApiToken, current_hash: str) -> dict:
    return {
        **{f: getattr(token, f) for f in ("id", "name", "prefix", "created_at", "last_used_at")},
        "current": token.token_hash == current_hash,
    }


@router.get("/me/tokens", response=list[TokenOut], summary="Your API tokens, newest first")
def list_tokens(request: ApiRequest):
    """Only a prefix of each: a token's value is shown once, when it is created (Settings →
    API tokens, or `introloop token`)."""
    current = _current_token_hash(request)
    return [_token_out(t, current) for t in access.scope(ApiToken, request.auth)]


def _get_token(request: ApiRequest, token_id: int) -> ApiToken:
    return access.get_or_404(ApiToken, request.auth, id=token_id)


@router.get("/me/tokens/{int:token_id}", response=TokenOut, summary="One API token")
def get_token(request: ApiRequest, token_id: int):
    return _token_out(_get_token(request, token_id), _current_token_hash(request))


@router.delete(
    "/me/tokens/{int:token_id}", response={204: None}, summary="Revoke an API token at once"
)
def revoke_token(request: ApiRequest, token_id: int):
    """Revoking the token this request came with works too: later requests with it are 401."""
    revoke_api_token(_get_token(request, token_id))
    return Status(204, None)


@router.get("/me/export", response=ExportOut, summary="All your data as one JSON document")
def export(request: ApiRequest, response: HttpResponse):
    """What Settings → Data downloads: your account, contacts, introductions, goals, settings
    and the emails sent for you."""
    response["Cache-Control"] = "no-store"
    return export_user_data(request.auth, timezone.now())

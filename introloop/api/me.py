import zoneinfo

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from pydantic import Field, field_validator

from introloop.reminders.services import settings_for as reminder_settings_for

router = Router(tags=["me"])


class MeOut(Schema):
    id: int
    email: str
    name: str
    time_zone: str
    email_verified: bool
    calendar_url: str


class MePatch(Schema):
    name: str | None = Field(default=None, max_length=150)
    time_zone: str | None = None

    @field_validator("time_zone")
    @classmethod
    def known_time_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in zoneinfo.available_timezones():
            raise ValueError(f"Unknown time zone {value!r}; use an IANA name like Europe/Paris")
        return value


def _me(user) -> MeOut:
    token = reminder_settings_for(user).calendar_token
    return MeOut(
        id=user.id,
        email=user.email,
        name=user.name,
        time_zone=user.time_zone,
        email_verified=user.is_verified,
        calendar_url=settings.SITE_URL + reverse("reminders:calendar", args=[token]),
    )


@router.get("/me", response=MeOut, summary="The account the token belongs to")
def get_me(request: HttpRequest) -> MeOut:
    return _me(request.auth)


@router.patch("/me", response=MeOut, summary="Change your display name or time zone")
def patch_me(request: HttpRequest, payload: MePatch) -> MeOut:
    user = request.auth
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    for field, value in changes.items():
        setattr(user, field, value.strip() if field == "name" else value)
    if changes:
        user.save(update_fields=list(changes))
    return _me(user)

"""Account operations: each one a single transaction, with "now" passed in."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from introloop.outbox import stops
from introloop.outbox.services import cancel_sent_for, queue_email

from .models import ApiToken, User, hash_token, normalize_email
from .signals import email_verified
from .tokens import email_verification_token


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


@transaction.atomic
def sign_up(*, email: str, password: str, name: str, time_zone: str, now: datetime) -> User:
    """Create an account and queue the email that verifies its address."""
    user = User.objects.create_user(
        email=email, password=password, name=name.strip(), time_zone=time_zone, date_joined=now
    )
    queue_verification_email(user, now)
    return user


def verification_path(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    return reverse("accounts:verify_email", args=[uidb64, token])


def queue_verification_email(user: User, now: datetime) -> None:
    queue_email(
        "accounts/verify",
        {"user": user, "verify_url": absolute_url(verification_path(user))},
        to=[user.email],
        user=user,
        now=now,
    )


def user_for_link(uidb64: str) -> User | None:
    try:
        return User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None


def verify_email(user: User, token: str, now: datetime) -> bool:
    """Mark the address verified if `token` is valid; a used token is void afterwards."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not email_verification_token.check_token(locked, token):
            return False
        mark_verified(locked, now)
    user.email_verified_at = now
    return True


@transaction.atomic
def mark_verified(user: User, now: datetime) -> None:
    """The address is the user's: record it, and let the apps above attach what names it
    (introductions that named this address show in the account from now on)."""
    user.email_verified_at = now
    user.save(update_fields=["email_verified_at"])
    # Its owner chose an account: their settings say what mail they get, not the stop list.
    stops.lift(user.email)
    email_verified.send(sender=User, user=user)


@transaction.atomic
def change_email(user: User, email: str, now: datetime) -> bool:
    """Change the address the user logs in with; a new address must be verified again.

    Returns whether it changed. The caller keeps the browser's session (the session hash
    covers the address).
    """
    email = normalize_email(email)
    if email == user.email:
        return False
    user.email = email
    user.email_verified_at = None
    user.save(update_fields=["email", "email_verified_at"])
    queue_verification_email(user, now)
    return True


@transaction.atomic
def create_account(
    *, email: str, password: str, name: str, time_zone: str, now: datetime, staff: bool = False
) -> User:
    """An account made by an operator (`introloop createuser`): its address counts as
    verified, through the same step as a verification link."""
    user = User.objects.create_user(
        email=email, password=password, name=name, time_zone=time_zone, is_staff=staff,
        date_joined=now,
    )  # fmt: skip
    mark_verified(user, now)
    return user


@transaction.atomic
def block_account(user: User) -> int:
    """Staff stop an account: it can no longer log in or use the API, and nothing it queued
    for other people goes out. Returns how many queued emails were dropped."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    return cancel_sent_for(user)


def unblock_account(user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=True)


def revoke_api_tokens(user: User) -> int:
    """Revoke every API token of the user (after a password change, say); how many there were."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


def create_api_token(user: User, name: str, now: datetime) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and only its hash is kept."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API token",
        token_hash=hash_token(raw),
        prefix=raw[:10],
        created_at=now,
    )
    return token, raw


def user_for_api_token(raw: str, now: datetime) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Record use at most once a minute, so reads do not turn into a write per request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(id=token.id).update(last_used_at=now)
    return token.user


def revoke_api_token(token: ApiToken) -> None:
    """The token stops working at once; its hash is forgotten."""
    token.delete()

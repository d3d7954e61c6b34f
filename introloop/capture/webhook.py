"""A mail provider's inbound webhook (django-anymail): Mailgun, Postmark, SendGrid, Amazon SES,
Mailjet, Brevo, SparkPost, Resend… post each message they receive for CAPTURE_DOMAIN, and
anymail's `inbound` signal hands it to `receive`, which stores it once per account like the
other ways in. Mounted at /capture/webhooks/ only while CAPTURE_WEBHOOK_SECRET is set."""

import functools
import logging
from collections.abc import Callable
from email.utils import getaddresses
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern
from django.utils import timezone

from . import intake

log = logging.getLogger("introloop.capture.webhook")

# More addresses than this on one message: read only the first ones (capture ignores mail
# to more than 20 recipients anyway).
_MAX_ADDRESSES = 50


class TryLater(Exception):
    """The message could not be stored now (the database): the provider should retry."""


def receive(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """anymail's `inbound` receiver. Raises only TryLater: anything else about a message is
    logged and dropped, as a provider would only retry it forever."""
    message = event.message
    try:
        raw = message.as_bytes()
    except Exception:  # a message the email package cannot write back out
        log.info("%s posted a message that cannot be read: not stored", esp_name)
        return
    to = _recipients(message)
    try:
        owners = intake.accounts_for(to, raw)
    except DatabaseError as error:
        raise TryLater from error
    if not owners:
        log.info("%s posted a message for no capture address: not stored", esp_name)
        return
    now = timezone.now()
    try:
        for user in owners:
            intake.store(user, raw, "webhook", now, to=to)
    except intake.Refused as refused:
        log.info("%s posted a message that was refused: %s", esp_name, refused)
    except DatabaseError as error:
        raise TryLater from error


def _recipients(message: Any) -> list[str]:
    """Whom the message was delivered to: the envelope recipient when the provider gives it,
    else the To and Cc addresses (intake keeps those at CAPTURE_DOMAIN)."""
    if message.envelope_recipient:
        headers = [str(message.envelope_recipient)]
    else:
        headers = [str(value) for name in ("To", "Cc") for value in message.get_all(name, [])]
    return [address for _, address in getaddresses(headers)[:_MAX_ADDRESSES] if address]


def urlpatterns() -> list[URLPattern]:
    """anymail's inbound URLs (<esp>/inbound/), each behind `_guarded`. Tracking URLs are
    left out: Introloop sends through its own outbox."""
    from anymail import urls

    return [
        URLPattern(entry.pattern, _guarded(entry.callback), entry.default_args, entry.name)
        for entry in urls.urlpatterns
        if isinstance(entry, URLPattern) and entry.name and "inbound" in entry.name
    ]


def _guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Never a 500: a wrong secret or an oversized body stay anymail's and Django's 400; a
    payload anymail cannot read is a 400 too; the database or a missing provider key a 503,
    so that the provider retries and the message is not lost."""

    @functools.wraps(view)  # keeps csrf_exempt: the provider has no CSRF token
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.CAPTURE_WEBHOOK_SECRET:
            raise Http404
        from anymail.exceptions import AnymailConfigurationError

        try:
            return view(request, *args, **kwargs)
        except SuspiciousOperation:
            raise
        except (TryLater, AnymailConfigurationError) as error:
            log.error("Inbound webhook %s could not take a message: %r", request.path, error)
            return HttpResponse("Try again later.", status=503, content_type="text/plain")
        except Exception:  # whatever a malformed payload makes anymail's parser raise
            log.warning("Inbound webhook %s: unreadable payload", request.path, exc_info=True)
            return HttpResponse("Unreadable payload.", status=400, content_type="text/plain")

    return guarded

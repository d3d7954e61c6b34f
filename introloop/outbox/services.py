"""Queueing mail. Delivery is in delivery.py and happens in the worker, never in a request."""

from datetime import datetime

from django.conf import settings
from django.core.mail import make_msgid
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Message


def queue_message(
    *,
    to: list[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    user=None,
    headers: dict[str, str] | None = None,
    reply_to: list[str] | None = None,
    cc: list[str] | None = None,
    bcc: list[str] | None = None,
    from_email: str | None = None,
    now: datetime | None = None,
) -> Message:
    """Write one message to the outbox; the worker delivers it."""
    now = now or timezone.now()
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "introloop.local"
    return Message.objects.create(
        user=user,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        cc=list(cc or []),
        bcc=list(bcc or []),
        reply_to=list(reply_to or []),
        # Header injection is refused later by Django's mail classes; collapse lines here so
        # the stored subject is what is sent.
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html,
        headers=dict(headers or {}),
        message_id=make_msgid(domain=domain),
        created_at=now,
        next_attempt_at=now,
    )


def queue_templated_message(
    template: str, context: dict, *, to: list[str], user=None, now: datetime | None = None, **kw
) -> Message:
    """Render `<template>_subject.txt`, `_body.txt` and `_body.html` and queue the result."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"{template}_subject.txt", context)
    body_text = render_to_string(f"{template}_body.txt", context)
    body_html = render_to_string(f"{template}_body.html", context)
    return queue_message(
        to=to, subject=subject, body_text=body_text, body_html=body_html, user=user, now=now, **kw
    )

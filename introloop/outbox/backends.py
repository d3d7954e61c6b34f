"""A Django email backend that writes to the outbox, so even Django's own mail is queued."""

from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from .services import queue_message


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []):
                if mimetype == "text/html":
                    html = content
            queue_message(
                to=message.to,
                cc=message.cc,
                bcc=message.bcc,
                reply_to=message.reply_to,
                # str(): either may be a lazy translation
                subject=str(message.subject),
                body_text=str(message.body),
                body_html=html,
                headers={k: v for k, v in message.extra_headers.items() if k != "Message-ID"},
                from_email=message.from_email,
            )
        return len(email_messages)

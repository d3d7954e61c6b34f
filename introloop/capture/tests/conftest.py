from pathlib import Path

import pytest

MAIL = Path(__file__).parent / "mail"


@pytest.fixture
def capture_on(settings):
    settings.CAPTURE_DOMAIN = "capture.example.net"
    settings.CAPTURE_LOCALPART = ""
    settings.CAPTURE_AUTHSERV_ID = ""
    settings.CAPTURE_MAX_BYTES = 10 * 1024 * 1024
    return settings


def mail(
    sender: str, to: str, subject: str = "Hello", body: str = "Hello there.", cc: str = "",
    date: str = "Wed, 4 Mar 2026 09:00:00 +0000", extra: str = "", message_id: str = "",
) -> bytes:  # fmt: skip
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", f"Date: {date}"]
    lines += [f"Cc: {cc}"] if cc else []
    lines += [f"Message-ID: <{message_id or abs(hash((sender, to, subject, body, date)))}@t>"]
    lines += [extra.strip()] if extra.strip() else []
    return ("\n".join(lines) + "\n\n" + body + "\n").encode()

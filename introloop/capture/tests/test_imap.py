"""Capture by IMAP against a real dovecot on loopback, started with a throw-away
configuration in a temporary directory (never the system service)."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.utils import timezone
from imap_tools import MailBoxUnencrypted

from conftest import free_port
from introloop.capture import imap, intake
from introloop.capture.models import CapturedMessage
from introloop.ops.worker import poll_capture_mailbox

from .conftest import MAIL

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
CONFIG = """
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{dir}/mail/%u
first_valid_uid = 1
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = static
  args = password=secret
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={dir}/mail/%u
}}
"""


def _accounts() -> tuple[str, str]:
    """Dovecot's users: this one, or `nobody` when the tests run as root (no mail as root)."""
    import grp
    import pwd

    if os.getuid() != 0:
        return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    group = "nogroup" if "nogroup" in {g.gr_name for g in grp.getgrall()} else "nobody"
    return "nobody", group


@pytest.fixture(scope="module")
def dovecot():
    if not os.path.exists(DOVECOT):
        if os.environ.get("INTROLOOP_E2E") == "required" or os.environ.get("CI"):
            pytest.fail("dovecot is not installed: apt-get install -y dovecot-imapd")
        pytest.skip("dovecot is not installed (apt-get install -y dovecot-imapd)")
    # Not under pytest's own temporary directory: that one is private to this user, and the
    # mail user (`nobody` under root) must reach the mail directory.
    base = Path(tempfile.mkdtemp(prefix="introloop-dovecot-"))
    for sub in ("run", "state", "mail"):
        (base / sub).mkdir()
    os.chmod(base, 0o755)  # noqa: S103 - the mail user reads the configuration
    os.chmod(base / "mail", 0o777)  # noqa: S103 - written by the mail user
    port = free_port()
    user, group = _accounts()
    config = base / "dovecot.conf"
    config.write_text(CONFIG.format(dir=base, port=port, user=user, group=group))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"dovecot did not start: {(base / 'dovecot.log').read_text()}")
    yield port
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot, capture_on):
    capture_on.CAPTURE_LOCALPART = "capture"
    user = f"capture{time.monotonic_ns()}"  # a mailbox of its own for each test
    capture_on.CAPTURE_IMAP_URL = f"imap://{user}:secret@127.0.0.1:{dovecot}/INBOX"
    with MailBoxUnencrypted("127.0.0.1", dovecot).login(user, "secret") as box:
        yield box


def delivered(raw: bytes, to: str) -> bytes:
    return f"Delivered-To: {to}\r\n".encode() + raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_the_worker_fetches_mail_for_each_account_and_empties_the_mailbox(alice, bob, mailbox):
    mailbox.append(
        delivered((MAIL / "gmail_reply.eml").read_bytes(), intake.capture_address(alice))
    )
    mailbox.append(delivered((MAIL / "apple_reply.eml").read_bytes(), intake.capture_address(bob)))
    mailbox.append(
        delivered(b"From: x@y.z\nSubject: stray\n\nhi\n", "capture+nobody@capture.example.net")
    )
    assert poll_capture_mailbox(timezone.now()) == 2
    assert sorted((m.owner.email, m.source) for m in CapturedMessage.objects.all()) == [
        ("alice@example.com", "imap"), ("bob@example.com", "imap"),
    ]  # fmt: skip
    mailbox.folder.set("INBOX")  # see what the worker's session expunged
    assert mailbox.uids() == []  # fetched mail leaves the mailbox
    assert poll_capture_mailbox(timezone.now()) == 0


def test_the_same_message_by_smtp_and_imap_is_one_item(alice, mailbox):
    raw = (MAIL / "gmail_reply.eml").read_bytes()
    intake.store(alice, raw, "smtp", timezone.now())
    mailbox.append(delivered(raw, intake.capture_address(alice)))
    assert poll_capture_mailbox(timezone.now()) == 0
    assert CapturedMessage.objects.count() == 1


def test_a_message_over_the_limit_is_not_stored(alice, mailbox, settings):
    settings.CAPTURE_MAX_BYTES = 500
    body = b"From: x@y.z\nSubject: big\n\n" + b"x\n" * 1000
    mailbox.append(delivered(body, intake.capture_address(alice)))
    assert poll_capture_mailbox(timezone.now()) == 0
    assert not CapturedMessage.objects.exists()


def test_idle_returns_when_mail_arrives(alice, mailbox, dovecot, settings):
    config = imap.parse_url(settings.CAPTURE_IMAP_URL)
    with imap.connect(config) as box:
        assert "IDLE" in box.client.capabilities
        raw = delivered(b"From: x@y.z\nSubject: new\n\nhi\n", intake.capture_address(alice))
        arriving = threading.Timer(0.5, mailbox.append, [raw])
        started = time.monotonic()
        arriving.start()
        imap.wait_for_mail(box, 10)
        arriving.join()
        assert time.monotonic() - started < 9
        assert imap.fetch_new(box, timezone.now()) == 1


def test_the_imap_url_is_read_with_its_folder():
    found = imap.parse_url("imaps://capture%40example.net:p%2Fw@mail.example.net/Capture")
    assert (found.user, found.password, found.host, found.port, found.folder) == (
        "capture@example.net",
        "p/w",
        "mail.example.net",
        993,
        "Capture",
    )
    with pytest.raises(ValueError):
        imap.parse_url("http://example.net")


def test_polling_is_off_without_a_mailbox(settings):
    settings.CAPTURE_IMAP_URL = ""
    assert imap.poll(timezone.now()) == 0

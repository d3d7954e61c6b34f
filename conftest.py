"""Fixtures shared by every app's tests: named users, API clients, a real SMTP server."""

import asyncio
import socket
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts only


def pytest_configure(config):
    from django.conf import settings

    # Tests render pages without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_user(email: str, name: str = "", verified: bool = True, **fields):
    from introloop.accounts.models import User

    now = timezone.now()
    return User.objects.create_user(
        email=email,
        password=PASSWORD,
        name=name,
        email_verified_at=now if verified else None,
        **fields,
    )


@pytest.fixture
def alice(db):
    return make_user("alice@example.com", "Alice Archer", time_zone="Europe/Paris")


@pytest.fixture
def bob(db):
    return make_user("bob@example.com", "Bob Baker")


@pytest.fixture
def charlie(db):
    return make_user("charlie@example.com", "Charlie Chen", is_staff=True)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def api_token_for(user) -> str:
    from introloop.accounts.services import create_api_token

    return create_api_token(user, "tests", timezone.now())[1]


class ApiClient:
    """Django's test client speaking JSON with a bearer token."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, json=None, data=None, **extra):
        kwargs = {"headers": {**self.headers, **extra.pop("headers", {})}, **extra}
        call = getattr(self.client, method.lower())
        if json is not None:
            return call(path, data=json, content_type="application/json", **kwargs)
        if data is not None:
            return call(path, data=data, **kwargs)
        return call(path, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


@pytest.fixture
def alice_api(alice):
    from django.test import Client

    return ApiClient(Client(), api_token_for(alice))


@pytest.fixture
def bob_api(bob):
    from django.test import Client

    return ApiClient(Client(), api_token_for(bob))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpSink:
    """What a real SMTP server on loopback received; it can refuse mail for a while."""

    port: int
    received: list = field(default_factory=list)
    refuse_next: int = 0
    delay: float = 0.0
    peers: set = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.peers.add(session.peer)
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return "451 4.3.0 Temporary failure, try again later"
            self.received.append(envelope)
        return "250 OK"

    def message_ids(self) -> list[str]:
        from email import message_from_bytes

        return [message_from_bytes(e.content)["Message-ID"] for e in self.received]

    def messages(self):
        from email import message_from_bytes
        from email.policy import default

        return [message_from_bytes(e.content, policy=default) for e in self.received]


@pytest.fixture
def smtp_server(settings):
    """A real aiosmtpd server on 127.0.0.1, with EMAIL_URL's settings pointing at it."""
    sink = SmtpSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    settings.SMTP = {
        "host": "127.0.0.1",
        "port": sink.port,
        "username": "",
        "password": "",
        "use_tls": False,
        "use_ssl": False,
        "timeout": 5,
    }
    yield sink
    controller.stop()


def database_url(name: str | None = None) -> str:
    """DATABASE_URL of the test database (or of `name` on the same server), for subprocesses."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or s['NAME']}"
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{s['USER']}@{host}:{port}/{name or s['NAME']}"

import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from introloop.settings import envbool, parse_email_url, read_or_create_secret_key


def test_email_url_forms():
    assert parse_email_url("smtp://mail.example.com") == {
        "host": "mail.example.com", "port": 25, "username": "", "password": "",
        "use_ssl": False, "use_tls": False, "timeout": 20,
    }  # fmt: skip
    submission = parse_email_url("submission://me%40example.com:p%40ss@mail.example.com")
    assert submission["port"] == 587
    assert submission["use_tls"] is True
    assert (submission["username"], submission["password"]) == ("me@example.com", "p@ss")
    smtps = parse_email_url("smtps://u:p@mail.example.com")
    assert (smtps["port"], smtps["use_ssl"], smtps["use_tls"]) == (465, True, False)
    tls = parse_email_url("smtp://mail.example.com:2525?tls=1&timeout=5")
    assert (tls["port"], tls["use_tls"], tls["timeout"]) == (2525, True, 5)


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "mail.example.com"])
def test_a_wrong_email_url_is_explained(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        parse_email_url(url)


def test_envbool_refuses_guesswork(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG must be true or false"):
        envbool("X_FLAG", False)
    monkeypatch.setenv("X_FLAG", "yes")
    assert envbool("X_FLAG", False) is True


def test_the_secret_key_is_created_once_private_and_then_reused(tmp_path):
    path = tmp_path / "secret_key"
    first = read_or_create_secret_key(path)
    assert len(first) >= 50
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_or_create_secret_key(path) == first

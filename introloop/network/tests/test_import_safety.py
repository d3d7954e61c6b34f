"""An import applies in full or not at all, and never mixes two people's contacts."""

import os
import subprocess
import sys

import pytest
from django.utils import timezone

from conftest import database_url
from introloop.network import imports
from introloop.network.importers.records import ContactRecord, ParseResult
from introloop.network.models import Contact, ContactEmail, ImportRun

from .factories import contact


def parsed(n: int, prefix: str = "p") -> ParseResult:
    records = [
        ContactRecord(
            line=i + 2,
            full_name=f"{prefix} Person {i}",
            emails=[(f"{prefix}{i}@example.com", "")],
            tags=["imported"],
        )
        for i in range(n)
    ]
    return ParseResult(format="csv", records=records, total_rows=n)


@pytest.mark.django_db
def test_a_failure_halfway_through_leaves_nothing_behind(alice, monkeypatch):
    existing = contact(alice, "p Person 0", emails=["p0@example.com"])

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "_write_tags", broken)  # fails after contacts and emails
    with pytest.raises(RuntimeError):
        imports.apply_import(alice, parsed(50), now=timezone.now())

    assert list(Contact.objects.all()) == [existing]
    assert ContactEmail.objects.count() == 1
    assert not ImportRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_people_importing_at_once_each_get_only_their_own(alice, bob, tmp_path, settings):
    files = {}
    for user, prefix in ((alice, "alice"), (bob, "bob")):
        lines = ["Full name,Email"] + [
            f"{prefix} Friend {i},{prefix}.friend{i}@example.com" for i in range(2000)
        ]
        path = tmp_path / f"{prefix}.csv"
        path.write_text("\n".join(lines) + "\n")
        files[user.email] = path
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "INTROLOOP_DATA_DIR": str(settings.DATA_DIR),
    }
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "introloop", "import", str(path), "--user", email],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for email, path in files.items()
    ]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
        assert b"2000 new" in out

    for user, prefix in ((alice, "alice"), (bob, "bob")):
        names = list(Contact.objects.filter(owner=user).values_list("full_name", flat=True))
        assert len(names) == 2000
        assert all(name.startswith(prefix) for name in names)
        emails = ContactEmail.objects.filter(owner=user).values_list("email", flat=True)
        assert all(email.startswith(prefix) for email in emails)

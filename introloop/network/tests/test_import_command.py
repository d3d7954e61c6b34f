from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from introloop.network.models import Contact

pytestmark = pytest.mark.django_db

CSV = """First Name,Last Name,URL,Email Address,Company,Position,Connected On
Ada,Lovelace,https://www.linkedin.com/in/ada,,Engines,Programmer,05 Nov 2024
Grace,Hopper,https://www.linkedin.com/in/grace,grace@navy.mil,US Navy,Admiral,12 Jan 2023
"""


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_a_file_with_a_progress_bar_then_again(tmp_path, alice):
    path = tmp_path / "Connections.csv"
    path.write_text(CSV)
    out, err = run(str(path), "--user", "ALICE@example.com")
    assert "Imported Connections.csv as linkedin: 2 new, 0 updated, 0 unchanged" in out
    assert "Writing [" in err
    assert Contact.objects.filter(owner=alice).count() == 2
    out, _ = run(str(path), "--user", "alice@example.com")
    assert "0 new, 0 updated, 2 unchanged" in out


def test_dry_run_changes_nothing(tmp_path, alice):
    path = tmp_path / "c.csv"
    path.write_text(CSV)
    out, _ = run(str(path), "--user", alice.email, "--dry-run")
    assert out.startswith("Would import")
    assert not Contact.objects.exists()


def test_generic_csv_with_a_mapping(tmp_path, alice):
    path = tmp_path / "people.csv"
    path.write_text("Who,Mail\nRay Chen,ray@chen.dev\n")
    run(
        str(path),
        "--user",
        alice.email,
        "--format",
        "csv",
        "--map",
        "Who=full_name",
        "--map",
        "Mail=email",
    )
    assert Contact.objects.get().emails.get().email == "ray@chen.dev"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody@example.com"], "No account"),
        (["--user", "alice@example.com", "--map", "nonsense"], "COLUMN=FIELD"),
    ],
)
def test_errors_are_explained(tmp_path, alice, args, message):
    path = tmp_path / "c.csv"
    path.write_text(CSV)
    with pytest.raises(CommandError, match=message):
        run(str(path), *args)


def test_a_missing_or_empty_file_is_refused(tmp_path, alice):
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.csv"), "--user", alice.email)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        run(str(empty), "--user", alice.email)

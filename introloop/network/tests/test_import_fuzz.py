"""Whatever file someone uploads, the importers answer with contacts or with ImportFileError
(a message for the person), never another exception, and never take minutes."""

import io
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from introloop.network.importers.detect import MAX_COLUMNS, parse_upload
from introloop.network.importers.records import FORMATS, ImportFileError

FILES = Path(__file__).parent / "files"
SAMPLES = sorted(p.read_bytes() for p in FILES.iterdir())
FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


def read(data: bytes, format: str | None = None) -> None:
    try:
        parse_upload(data, filename="upload", format=format)
    except ImportFileError as error:
        assert str(error)  # a message the person can read


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from([None, *FORMATS]))
def test_random_bytes(data, format):
    read(data, format)


@FUZZ
@given(st.sampled_from(SAMPLES), st.data())
def test_real_files_cut_short_or_damaged(sample, data):
    cut = data.draw(st.integers(0, len(sample)))
    damaged = bytearray(sample[:cut])
    for _ in range(data.draw(st.integers(0, 5))):
        if damaged:
            damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    read(bytes(damaged))


def _zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@FUZZ
@given(st.sampled_from(SAMPLES), st.floats(0, 1))
def test_truncated_zips(sample, fraction):
    archive = _zipped({"Connections.csv": sample, "Profile.csv": b"First Name\nMaya\n"})
    read(archive[: int(len(archive) * fraction)])


@pytest.mark.parametrize("columns", [MAX_COLUMNS + 1, 100_000])
def test_absurdly_wide_files_are_refused_at_once(columns):
    header = ",".join(f"Column {n}" for n in range(columns))
    data = (header + "\n" + ",".join("x" for _ in range(columns)) + "\n").encode()
    started = time.monotonic()
    with pytest.raises(ImportFileError, match="columns"):
        parse_upload(data, filename="wide.csv")
    assert time.monotonic() - started < 5


def test_a_zip_bomb_is_refused_without_unpacking_it():
    bomb = _zipped({"Connections.csv": b"First Name,Last Name\n" + b"a" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(ImportFileError, match=r"ZIP bomb|larger than"):
        parse_upload(bomb, filename="export.zip")

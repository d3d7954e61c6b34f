"""Turning uploaded bytes into text, and the two normalisations every importer shares.

People upload whatever their tools wrote: UTF-8 with or without a BOM, Excel's "Unicode text"
(UTF-16 with a BOM), or an old Windows export in cp1252. They also upload the wrong file
(a PDF, a photo, a workbook); those are refused here with a message that says what to do.
"""

import re
from contextlib import suppress
from urllib.parse import quote, unquote

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .records import ImportFileError

FORMATS_WE_READ = (
    "Introloop reads LinkedIn's Connections.csv (or the whole LinkedIn export ZIP), "
    "vCard files (.vcf), Google Contacts CSV, other CSV files and its own exports."
)

# Start of the file -> what it is, for a friendlier refusal than "binary data".
_MAGIC = (
    (b"%PDF", "This is a PDF file, not a contacts file."),
    (b"\x89PNG", "This is an image (PNG), not a contacts file."),
    (b"\xff\xd8\xff", "This is an image (JPEG), not a contacts file."),
    (b"GIF8", "This is an image (GIF), not a contacts file."),
    (
        b"\xd0\xcf\x11\xe0",
        "This is an old-style Excel or Word file. Open it and save it as CSV "
        "(File > Save As > CSV UTF-8), then import the CSV.",
    ),
)

# C0 controls other than tab, newlines and form feeds, DEL, and the C1 range (only reachable
# through the latin-1 fallback, so a sure sign of binary data).
_CONTROL_CHARS = [chr(c) for c in [*range(32), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r\f\v"]
_BINARY_SHARE = 0.02  # more than 2% control characters: not a text file
_SAMPLE = 65536


def _count_control(sample: str) -> int:
    return sum(sample.count(c) for c in _CONTROL_CHARS)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the bytes plainly are UTF-16 text without a BOM."""
    head = data[:4096]
    if len(head) < 4 or len(head) % 2:
        return None
    even_nuls = head[0::2].count(0)
    odd_nuls = head[1::2].count(0)
    pairs = len(head) // 2
    if odd_nuls > pairs * 0.3 and even_nuls < pairs * 0.05:
        return "utf-16-le"
    if even_nuls > pairs * 0.3 and odd_nuls < pairs * 0.05:
        return "utf-16-be"
    return None


def decode_text(data: bytes) -> str:
    """The text of an uploaded file; ImportFileError if it is empty or not text at all."""
    if not data.strip():
        raise ImportFileError("This file is empty.")
    for magic, message in _MAGIC:
        if data.startswith(magic):
            raise ImportFileError(f"{message} {FORMATS_WE_READ}")

    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        text = data.decode("utf-32", errors="replace")
    elif data.startswith(b"\xff\xfe"):
        text = data[2:].decode("utf-16-le", errors="replace")
    elif data.startswith(b"\xfe\xff"):
        text = data[2:].decode("utf-16-be", errors="replace")
    elif encoding := _utf16_without_bom(data):
        text = data.decode(encoding, errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")

    if not text.strip():
        raise ImportFileError("This file is empty.")
    sample = text[:_SAMPLE]
    if "\x00" in text or _count_control(sample) > len(sample) * _BINARY_SHARE:
        raise ImportFileError(
            f"This file is not a text file (it looks like binary data). {FORMATS_WE_READ}"
        )
    return text


# Characters kept as they are in a canonical profile path; everything else is %-encoded.
_PATH_SAFE = "/-._~!$&'()*+,;=:@"
_has_space = re.compile(r"[\s\x00-\x1f\x7f]").search


def normalize_linkedin_url(url: str) -> str:
    """https://www.linkedin.com/in/<slug> for a LinkedIn profile URL, else "".

    Any linkedin.com host (fr., uk., m., www. or none) becomes www.linkedin.com; the path is
    lower-cased and %-encoded one way (so "/in/Jörg" and "/in/j%C3%B6rg" are the same profile);
    the query, fragment, trailing slash and sub-pages such as /details/ are dropped.
    Old public profiles (/pub/name/1/2/3) keep their whole path.
    """
    rest = url.strip().lower()
    if rest.startswith("https://"):
        rest = rest[8:]
    elif rest.startswith("http://"):
        rest = rest[7:]
    elif rest.startswith("//"):
        rest = rest[2:]
    elif "://" in rest:
        return ""
    host, _, path = rest.partition("/")
    host = host.partition(":")[0].rstrip(".")
    if host != "linkedin.com" and not host.endswith(".linkedin.com"):
        return ""
    path = path.partition("?")[0].partition("#")[0]
    if "%" in path:
        with suppress(UnicodeDecodeError):  # not UTF-8 once decoded: keep the escapes as they are
            path = unquote(path, errors="strict").lower()
    segments = [s for s in path.split("/") if s]
    if len(segments) >= 2 and segments[0] == "in":
        segments = segments[:2]
    elif not (len(segments) >= 2 and segments[0] == "pub"):
        return ""
    path = "/".join(segments)
    if _has_space(path):
        return ""
    return "https://www.linkedin.com/" + quote(path, safe=_PATH_SAFE)


# Addresses Django's validate_email surely accepts (dot-atom local part, ASCII domain), checked in
# well under a microsecond; anything else is left to validate_email, which takes ~7 µs.
_plain_address = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
).fullmatch


def normalize_email(s: str) -> str:
    """The address stripped and lower-cased, or "" if it is not a plausible email address.

    Also accepts "mailto:ann@example.com" and "Ann Smith <ann@example.com>".
    """
    s = s.strip()
    if s.endswith(">") and "<" in s:
        s = s[s.rindex("<") + 1 : -1].strip()
    if s[:7].lower() == "mailto:":
        s = s[7:].strip()
    s = s.lower()
    if not s or "@" not in s:
        return ""
    if _plain_address(s) and len(s) <= 254:
        return s
    try:
        validate_email(s)
    except ValidationError:
        return ""
    return s

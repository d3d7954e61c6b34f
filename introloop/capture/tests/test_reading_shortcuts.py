"""The shortcuts that make reading mail fast give the answers of the slow, plain way: the new
text with quotequail handed only the lines where it can find something, and `Name <address>`
lists read by two regular expressions instead of getaddresses. Hypothesis builds the bodies
from the lines that matter (attributions of several clients and languages, quotes, rules,
header blocks, signatures, addresses in prose)."""

import re
from email.utils import getaddresses

import quotequail
from hypothesis import given, settings
from hypothesis import strategies as st

from introloop.capture import text
from introloop.capture.parsing import _simple_addresses

LINES = [
    "", "Hi Tom,", "Thursday works for me.", "Best,", "Maya", "Write to tom@example.org",
    "On Tue, 3 Mar 2026 at 18:05, Tom Target <tom@example.org> wrote:",
    "On Tue, 3 Mar 2026 at 18:05, Tom Target", "wrote:", "Am 03.03.26 um 18:05 schrieb Maya:",
    "Le 3 mars 2026 à 18:05, Tom a écrit :", "2026/3/3 Tom Target <tom@example.org>",
    "> Hallo Jürgen,", "> quoted", ">", "---------- Forwarded message ---------",
    "-----Original Message-----", "_" * 32, "From: Tom Target <tom@example.org>",
    "Sent: Tuesday, March 3, 2026 6:05 PM", "To: Maya <maya@example.com>", "Subject: Hello",
    "Von: Carla <carla@example.org>", "Gesendet: Dienstag, 3. März 2026", "-- ", "Sent from my iPhone",
    "Note: the original plan changed", "I will forward your CV", "İstanbul", "Begin forwarded message:",
]  # fmt: skip


def reference_new_text(body: str) -> str:
    """new_text without the shortcut: quotequail over the whole body, then the same cut."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")[: text.MAX_TEXT * 5]
    chunks = quotequail.quote(body)
    visible = (chunks[0][1] if chunks and chunks[0][0] else "").split("\n")
    lines = body.split("\n")
    kept = [line.rstrip() for line in lines[: min(len(visible), text._end(lines))]]
    while kept and (not kept[-1].strip() or text._ATTRIBUTION.match(kept[-1].strip())):
        kept.pop()
    if kept and re.match(r"^(On|Am) .*(\d{4}|\d:\d\d).*", kept[-1].strip()):
        kept.pop()
    return "\n".join(kept).strip()[: text.MAX_TEXT]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=14))
def test_new_text_is_what_quotequail_over_the_whole_body_gives(lines):
    body = "\n".join(lines)
    assert text.new_text(body) == reference_new_text(body)


def test_the_head_holds_nothing_quotequail_could_find():
    head, rest = text.quotable("Hi Tom,\nThanks!\nOn Tue, Tom Target\nwrote:\n> hi")
    assert head == "Hi Tom,\nThanks!\n"
    assert rest == "On Tue, Tom Target\nwrote:\n> hi"  # an attribution wrapped over two lines
    assert text.quotable("Just a line") == ("Just a line", "")


NAMES = st.text(alphabet="ABCxyzäé .'-", max_size=12)
ADDRESSES = st.from_regex(r"[a-z0-9.+_-]{1,8}@[a-z0-9-]{1,8}\.[a-z]{2,4}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(NAMES, ADDRESSES, st.booleans()), min_size=1, max_size=5))
def test_simple_address_lists_read_as_getaddresses_reads_them(people):
    value = ", ".join(f"{name} <{email}>" if named else email for name, email, named in people)
    fast = _simple_addresses(value)
    assert fast is not None
    assert fast == [(n, e) for n, e in getaddresses([value]) if e]


def test_anything_beyond_the_simple_form_goes_to_getaddresses():
    assert _simple_addresses('"Hale, Tom" <tom@example.org>') is None
    assert _simple_addresses("tom@example.org (Tom Hale)") is None
    assert _simple_addresses("Team: a@example.org, b@example.org;") is None


FORWARD_LINES = [
    *LINES, "FYI, see below.", "Date: Tue, 3 Mar 2026 at 10:00", "Cc: Carla <carla@example.org>",
    "Betreff: Vorstellung", "An: Jürgen <juergen@example.de>", "Begin forwarded message:",
    "Anfang der weitergeleiteten E-Mail:", "---------- Weitergeleitete Nachricht ---------",
]  # fmt: skip


def reference_forward(body: str, subject: str) -> tuple:
    """The forward as quotequail reads it over the whole body (before the shortcut)."""
    from introloop.capture.parsing import _FORWARD_SUBJECT, _has_text, addresses

    try:
        found = quotequail.unwrap(body) if body else None
    except Exception:
        return (False,)
    if not found or found.get("type") != "forward" or not found.get("from"):
        return (False,)
    if _has_text(found.get("text_top", "")) and not _FORWARD_SUBJECT.match(subject):
        return (False,)
    authors = addresses(found["from"])
    if not authors:
        return (False,)
    return (True, authors[0].email, [p.email for p in addresses(found.get("to", ""))],
            text.new_text(found.get("text", "")))  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FORWARD_LINES), max_size=14), st.sampled_from(["Fwd: x", "x"]))
def test_a_forward_reads_as_quotequail_over_the_whole_body_reads_it(lines, subject):
    from datetime import UTC

    from introloop.capture.parsing import Parsed, _read_inline_forward

    body = "\n".join(lines)
    parsed = Parsed(subject=subject)
    found = _read_inline_forward(parsed, body, UTC)
    ours = (
        (True, parsed.author.email, [p.email for p in parsed.to], parsed.text)
        if found
        else (False,)
    )
    assert ours == reference_forward(body, subject)

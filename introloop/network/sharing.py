"""What someone shares to Introloop from their phone (the installed app's share target): a
LinkedIn profile, a web page or a piece of text, read into the fields of a new contact or of a
new introduction. Plain functions of three strings; nothing is saved here."""

import re
from dataclasses import dataclass

from .importers.decoding import normalize_linkedin_url

# Each shared field is cut to this before it is read: a share is a title, a sentence or two
# and an address, and anything longer is pasted text the forms would refuse anyway.
MAX_SHARED = 2000
# What the forms accept (intros' target_name, contacts' company and title; intros' purpose).
MAX_NAME = 200
MAX_URL = 500

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
# "(3) Ann Lee - Staff Engineer - Acme | LinkedIn": unread notifications, then LinkedIn's suffix.
_NOTIFICATIONS = re.compile(r"^\(\d+\+?\)\s*")
_DASHES = "\u2013\u2014-"  # en dash, em dash, hyphen (last: a literal in [...])
_LINKEDIN_SUFFIX = re.compile(rf"\s*[|{_DASHES}]\s*linkedin\s*$", re.IGNORECASE)
_DASH = re.compile(rf"\s+[{_DASHES}]\s+")
# A post rather than a profile: "Ann Lee on LinkedIn: We are hiring…".
_POST = re.compile(r"^(?P<name>.{1,100}?) on LinkedIn:\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
# The words LinkedIn's app puts around a shared profile's address.
_PROFILE_TEXT = re.compile(
    r"(?:check out|view|see)\s+(?P<name>[^\n]{1,100}?)['\u2019]s?\s+profile on linkedin[.:!]?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Shared:
    title: str = ""
    text: str = ""
    url: str = ""  # the web address shared: the url field, or the first one inside the text
    name: str = ""
    headline: str = ""
    company: str = ""
    linkedin_url: str = ""  # the address, when it is a LinkedIn profile (normalised)
    note: str = ""  # the text, less the address and LinkedIn's own wording
    page_title: str = ""  # the title of a page that is not LinkedIn's: nobody's name

    @property
    def is_empty(self) -> bool:
        return not (self.title or self.text or self.url)

    def contact_fields(self) -> dict[str, str]:
        """GET parameters of the new-contact form, named like its fields."""
        other_url = "" if self.linkedin_url else self.url
        fields = {
            "full_name": self.name,
            "title": self.headline,
            "company": self.company,
            "linkedin_url": self.linkedin_url,
            "notes": "\n".join(p for p in (self.page_title, self.note, other_url) if p),
        }
        return {key: value for key, value in fields.items() if value}

    def intro_fields(self) -> dict[str, str]:
        """GET parameters of the new-introduction form."""
        fields = {
            "target_name": self.name,
            "target_company": self.company,
            "target_url": self.linkedin_url or self.url,
            "purpose": self.note,
        }
        return {key: value for key, value in fields.items() if value}


def read_shared(title: str, text: str, url: str) -> Shared:
    """Read a share (the three fields a phone sends) into a contact's or introduction's fields.

    Any input gives an answer, possibly empty: this runs on whatever another app sends.
    """
    title, text, url = (_clean(value) for value in (title, text, url))
    found = _URL.search(text)
    address = url if _URL.fullmatch(url) else ""
    note = text
    if found and not address:
        address = found[0].rstrip(".,;:!?)]}")
    if found and found[0].startswith(address):
        note = text.replace(found[0], " ")
    address = address[:MAX_URL]
    linkedin_url = normalize_linkedin_url(address)

    name = headline = company = page_title = ""
    title_says_linkedin = bool(_LINKEDIN_SUFFIX.search(title) or _POST.match(title))
    if title_says_linkedin or linkedin_url:
        name, headline, company, post = _read_linkedin_title(title)
        if post and not note.strip():
            note = post
    elif title and title != address:
        page_title = title
    spoken = _PROFILE_TEXT.search(note)
    if spoken:
        name = name or spoken["name"].strip()
        note = note.replace(spoken[0], " ")
    note = "\n".join(" ".join(line.split()) for line in note.splitlines())
    note = re.sub(r"\n{2,}", "\n", note).strip(" \n.,;:" + _DASHES)
    if not any(c.isalnum() for c in note):
        note = ""
    return Shared(
        title=title,
        text=text,
        url=address,
        name=name[:MAX_NAME],
        headline=headline[:MAX_NAME],
        company=company[:MAX_NAME],
        linkedin_url=linkedin_url,
        note="" if note == name else note,
        page_title=page_title[:MAX_NAME],
    )


def _clean(value: object) -> str:
    text = value if isinstance(value, str) else ""
    # Lone surrogates would fail when the page is encoded: replaced, like Django's decoding.
    text = text[:MAX_SHARED].encode("utf-8", "replace").decode()
    return _CONTROL.sub("", text).replace("\r\n", "\n").strip()


def _read_linkedin_title(title: str) -> tuple[str, str, str, str]:
    """(name, headline, company, post text) from a LinkedIn page's title.

    "Ann Lee | LinkedIn": a name. "Ann Lee - Acme | LinkedIn": a name and where they work.
    "Ann Lee - Staff Engineer - Acme | LinkedIn": a name, their headline and where they work
    (a headline may itself hold dashes: all but the last part). "Ann Lee - Staff Engineer at
    Acme": a headline naming the company after " at ".
    """
    title = _NOTIFICATIONS.sub("", title.replace("\n", " "))
    post = _POST.match(title)
    if post:
        return post["name"].strip(), "", "", post["rest"].strip()
    title = _LINKEDIN_SUFFIX.sub("", title).strip()
    parts = [part.strip() for part in _DASH.split(title) if part.strip()]
    if not parts:
        return "", "", "", ""
    name, rest = parts[0], parts[1:]
    if len(rest) >= 2:
        return name, " - ".join(rest[:-1]), rest[-1], ""
    if rest and " at " in rest[0]:
        headline, _, company = rest[0].rpartition(" at ")
        return name, headline.strip(), company.strip(), ""
    return name, "", rest[0] if rest else "", ""

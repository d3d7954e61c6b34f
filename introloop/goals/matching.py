"""When a contact's company or job title counts as one a goal names.

Companies match after normalisation ("ACME, Inc." and "Acmé Incorporated" are both "acme"), or
by similarity of the normalised names (a typo in a long name). Titles match through small tables
of variants ("PM" = "Product Manager" = "Product Owner"), which a goal can extend.
"""

import re
from collections.abc import Iterable
from typing import NamedTuple

from rapidfuzz import fuzz, process

from introloop.network.models import fold

# Two normalised names at least this similar (rapidfuzz's ratio, 0-100) are the same company:
# one typo in a ten-letter name passes; "acme" vs "acne" (75) and "meta" vs "metabase" (67) not.
SIMILAR = 90

# Legal forms, as normalised below (dots dropped: "S.p.A." is "spa"), removed from the end of a
# company's name. Only from the end, and never the last word left: "Limited" stays a name.
LEGAL_SUFFIXES = frozenset(
    {
        "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "plc", "co", "corp",
        "corporation", "company", "pty", "pte", "pvt", "gmbh", "ag", "kg", "ug", "se", "sa",
        "sas", "sarl", "srl", "spa", "bv", "nv", "ab", "oy", "as", "asa", "aps", "kk",
    }
)  # fmt: skip

_DROPPED = re.compile(r"['\u2019.]|(?<=\b\w)/(?=\w\b)")  # "S.A." and "A/S": "sa", "as"
_SEPARATORS = re.compile(r"[^\w]+")
_DIGITS = re.compile(r"\d+")


def company_key(name: str) -> str:
    """`name` for comparing: folded (case, accents), punctuation as spaces, no legal form at
    the end. "ACME, Inc." and "Acmé Incorporated" are both "acme"."""
    plain = _DROPPED.sub("", fold(name).replace("&", " and "))
    words = _SEPARATORS.sub(" ", plain).replace("_", " ").split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    if len(words) > 1 and words[-1] == "and":  # "Smith & Co." is "smith"
        words.pop()
    return " ".join(words)


def is_legal_suffix(item: str) -> bool:
    """Whether `item` is nothing but a legal form ("Inc.", "S.A."), as comma splitting left
    from "Acme, Inc." before companies were one per line."""
    words = _SEPARATORS.sub(" ", _DROPPED.sub("", fold(item))).split()
    return bool(words) and all(w in LEGAL_SUFFIXES for w in words)


class CompanyMatch(NamedTuple):
    target: str  # the goal's company, as the user wrote it
    how: str  # "same", "normalised" or "similar"


class CompanyMatcher:
    """Matches contacts' companies against a goal's, each distinct company string once."""

    def __init__(self, targets: Iterable[str]):
        self._by_key: dict[str, str] = {}
        for target in targets:
            key = company_key(target)
            if key:
                self._by_key.setdefault(key, target)
        self._keys = list(self._by_key)
        # Only names with the same numbers can be similar: a number is not a typo ("Studio 54"
        # is not "Studio 5", nor "Company 151" "Company 15").
        self._keys_by_numbers: dict[tuple[str, ...], list[str]] = {}
        for key in self._keys:
            self._keys_by_numbers.setdefault(tuple(_DIGITS.findall(key)), []).append(key)
        self._seen: dict[str, CompanyMatch | None] = {}

    def __bool__(self) -> bool:
        return bool(self._keys)

    def match(self, company: str) -> CompanyMatch | None:
        """The goal's company that `company` counts as, and how it matched; None if none."""
        try:
            return self._seen[company]
        except KeyError:
            found = self._seen[company] = self._match(company)
            return found

    def _match(self, company: str) -> CompanyMatch | None:
        key = company_key(company)
        if not key:
            return None
        target = self._by_key.get(key)
        if target is not None:
            same = fold(" ".join(company.split())) == fold(target)
            return CompanyMatch(target, "same" if same else "normalised")
        candidates = self._keys_by_numbers.get(tuple(_DIGITS.findall(key)), ())
        best = process.extractOne(key, candidates, scorer=fuzz.ratio, score_cutoff=SIMILAR)
        return CompanyMatch(self._by_key[best[0]], "similar") if best else None


# Each row: titles that count as one another. Extended per goal by its "also counts as" lines.
TITLE_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("PM", "Product Manager", "Product Owner", "Head of Product", "Product Lead"),
    ("SWE", "Software Engineer", "Developer", "Software Developer", "Programmer"),
    ("Data Scientist", "ML Engineer", "Machine Learning Engineer"),
    ("Designer", "UX Designer", "Product Designer", "UI Designer"),
    ("EM", "Engineering Manager", "Head of Engineering"),
    ("Recruiter", "Talent Acquisition", "Technical Recruiter", "Talent Partner"),
)

VARIANTS_HELP = (
    "One line for each title and what else counts as it, e.g. “PM = Product Manager, Product "
    "Owner”. Built in: " + "; ".join(" = ".join(row) for row in TITLE_VARIANTS) + "."
)


class BadVariants(ValueError):
    pass


def parse_variants(text: str) -> list[tuple[str, ...]]:
    """ "PM = Product Manager, Product Owner" lines as rows of titles; each line names two or
    more (commas and "=" both separate them)."""
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        titles = [" ".join(t.split()) for t in re.split(r"[=,]", line)]
        titles = [t[:80] for t in titles if t]
        if not titles:
            continue
        if len(titles) < 2:
            raise BadVariants(
                f"Line {number} names only “{titles[0]}”: say what else counts as it, e.g. "
                "“PM = Product Manager, Product Owner”."
            )
        rows.append(tuple(titles))
    return rows


def format_variants(rows: list[tuple[str, ...]]) -> str:
    return "\n".join(f"{row[0]} = {', '.join(row[1:])}" for row in rows)


def title_variants(roles: Iterable[str], extra: Iterable[tuple[str, ...]] = ()) -> dict[str, str]:
    """For the goal's roles: each other title (folded) that counts as one, and the role it
    counts as. A role's own words are matched as before, not here."""
    rows = [*TITLE_VARIANTS, *extra]
    variants: dict[str, str] = {}
    for role in roles:
        folded = fold(role)
        for row in rows:
            if any(fold(title) == folded for title in row):
                for title in row:
                    variants.setdefault(fold(title), role)
    return {title: role for title, role in variants.items() if title and title != fold(role)}


def role_pattern(role: str) -> re.Pattern | None:
    """Finds `role` in a folded title where a word starts ("Engineer" in "Engineering Manager");
    an abbreviation of four letters or fewer only as a whole word ("PM" not in "Development")."""
    key = fold(" ".join(role.split()))
    if not key:
        return None
    end = r"\b" if len(key) <= 4 else ""
    return re.compile(r"(?<!\w)" + re.escape(key) + end)


def variants_pattern(variants: dict[str, str]) -> re.Pattern | None:
    """One pattern that finds any variant as whole words in a folded title ("pm" in "sr. pm",
    not in "pmo")."""
    if not variants:
        return None
    longest_first = sorted(variants, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(v) for v in longest_first) + r")\b")

"""Search everywhere: the viewer's contacts, introductions, asks, goals and applications that
match every word of a query, in groups, each with its count and its first rows.

Each group costs a fixed number of queries whatever the number of rows: a count and a page of
rows, or, for introductions, one bounded read that is then checked against what the viewer may
see of each target (access.target_shown): a seeker never finds an introduction by the name or
address of a target they may not know yet.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from introloop import access
from introloop.accounts.models import User
from introloop.goals.models import Application, Ask, Goal, Need
from introloop.intros.models import Intro
from introloop.network.models import fold
from introloop.network.queries import local_today, search_contacts

MIN_LENGTH = 2
MAX_LENGTH = 200
MAX_WORDS = 10  # as the contact search: more words only narrow an already narrow search
# Introductions read to find the matches one may see; more are counted as "300+".
INTRO_CANDIDATES = 300
# Control characters (NUL among them: PostgreSQL refuses it in text) are never searched for.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadQuery(ValueError):
    """A query that cannot be searched for, with the sentence that says why."""


def tidy(raw: str) -> str:
    """Control characters dropped, spaces collapsed."""
    return " ".join(_CONTROL.sub(" ", raw).split())


def clean(raw: str) -> str:
    """The query as searched for, or BadQuery saying why it cannot be."""
    if len(raw) > MAX_LENGTH:
        raise BadQuery(f"Search for at most {MAX_LENGTH} characters.")
    q = tidy(raw)
    if len(q) < MIN_LENGTH:
        raise BadQuery(f"Type at least {MIN_LENGTH} characters to search.")
    return q


@dataclass
class Row:
    title: str
    detail: str
    url: str


@dataclass
class Group:
    key: str
    label: str  # "Contacts"
    count: int
    rows: list[Row]
    all_url: str  # where every match is listed
    at_least: bool = False  # the count stopped at INTRO_CANDIDATES

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)


def _words(q: str) -> list[str]:
    return q.lower().split()[:MAX_WORDS]


def _each_word_in_any(rows: QuerySet, words: list[str], fields: tuple[str, ...]) -> QuerySet:
    """Rows where every word is in one of `fields` (LIKE wildcards are escaped by Django)."""
    for word in words:
        anywhere = Q()
        for name in fields:
            anywhere |= Q(**{f"{name}__icontains": word})
        rows = rows.filter(anywhere)
    return rows


def _only_url(q: str, key: str) -> str:
    return reverse("search") + "?" + urlencode({"q": q, "only": key})


def contacts(user: User, q: str, limit: int, now: datetime) -> Group:
    found = search_contacts(user, today=local_today(user, now), q=q)
    rows = [
        Row(c.full_name, c.headline, reverse("timeline:contact", args=[c.id]))
        for c in found.only("id", "full_name", "title", "company")[:limit]
    ]
    all_url = reverse("network:list") + "?" + urlencode({"q": q})
    return Group("contacts", "Contacts", found.count(), rows, all_url)


INTRO_FIELDS = (
    "id", "state", "purpose", "double_opt_in", "connector_name", "connector_email",
    "connector_user", "seeker_name", "seeker_email", "seeker_user", "target_name",
    "target_email", "target_company", "target_user", "target_email_by_connector",
    "created_by", "logged_as", "updated_at",
)  # fmt: skip
INTRO_SEARCHED = (
    "connector_name", "connector_email", "seeker_name", "seeker_email", "purpose",
    "target_name", "target_email", "target_company",
)  # fmt: skip


def _visible_text(intro: Intro, user: User) -> tuple[str, access.TargetShown]:
    """What the viewer may read of the introduction, folded, and its target as they see it."""
    shown = access.target_shown(intro, access.roles_of(intro, user))
    texts = [intro.connector_name, intro.connector_email, intro.seeker_name]
    texts += [intro.seeker_email, intro.purpose, shown.email]
    if shown.name == intro.target_name:  # the name is known, so is the company
        texts += [intro.target_name, intro.target_company]
    return fold("\n".join(texts)), shown


def intros(user: User, q: str, limit: int, now: datetime) -> Group:
    words = _words(q)
    candidates = _each_word_in_any(access.scope(Intro, user), words, INTRO_SEARCHED)
    read = list(candidates.only(*INTRO_FIELDS).order_by("-updated_at", "-id")[:INTRO_CANDIDATES])
    folded = [fold(word) for word in words]
    matches = []
    for intro in read:
        text, shown = _visible_text(intro, user)
        if all(word in text for word in folded):
            matches.append((intro, shown))
    rows = [
        Row(
            f"{intro.seeker_name} → {shown.name}",
            f"via {intro.connector_name} · {intro.get_state_display()}",
            reverse("intros:detail", args=[intro.id]),
        )
        for intro, shown in matches[:limit]
    ]
    at_least = len(read) == INTRO_CANDIDATES
    return Group("intros", "Introductions", len(matches), rows, _only_url(q, "intros"), at_least)


def asks(user: User, q: str, limit: int, now: datetime) -> Group:
    fields = ("contact__full_name", "note", "result", "goal__title")
    found = _each_word_in_any(access.scope(Ask, user), _words(q), fields)
    rows = [
        Row(
            f"{ask.get_kind_display()}: {ask.contact.full_name}",
            f"{ask.get_direction_display()} · {ask.get_status_display()} · {ask.on:%-d %b %Y}",
            reverse("goals:ask_edit", args=[ask.id]),
        )
        for ask in found.select_related("contact").order_by("-on", "-id")[:limit]
    ]
    return Group("asks", "Asks and favours", found.count(), rows, _only_url(q, "asks"))


def goals(user: User, q: str, limit: int, now: datetime) -> Group:
    found = access.scope(Goal, user)
    for word in _words(q):
        need = Need.objects.filter(goal=OuterRef("pk"), text__icontains=word)
        found = found.filter(Q(title__icontains=word) | Exists(need))
    rows = [
        Row(goal.title, "Active" if goal.active else "Paused",
            reverse("goals:detail", args=[goal.id]))
        for goal in found.only("id", "title", "active")[:limit]
    ]  # fmt: skip
    return Group("goals", "Goals", found.count(), rows, _only_url(q, "goals"))


def _applied(application: Application) -> str:
    applied = f"Applied {application.applied_on:%-d %b %Y}"
    if application.status == Application.Status.APPLIED:
        return applied
    return f"{applied} · {application.get_status_display()}"


def applications(user: User, q: str, limit: int, now: datetime) -> Group:
    fields = ("company", "role", "notes", "contact__full_name")
    found = _each_word_in_any(access.scope(Application, user), _words(q), fields)
    rows = [
        Row(
            f"{a.role} at {a.company}",
            _applied(a),
            reverse("goals:application_edit", args=[a.id]),
        )
        for a in found[:limit]
    ]
    return Group("applications", "Applications", found.count(), rows, _only_url(q, "applications"))


SEARCHES: dict[str, Callable[[User, str, int, datetime], Group]] = {
    "contacts": contacts,
    "intros": intros,
    "asks": asks,
    "goals": goals,
    "applications": applications,
}


def search(user: User, q: str, limit: int, now: datetime, only: str = "") -> list[Group]:
    """Every group (or the one named `only`) for a cleaned query, each with `limit` rows."""
    keys = [only] if only in SEARCHES else list(SEARCHES)
    return [SEARCHES[key](user, q, limit, now) for key in keys]

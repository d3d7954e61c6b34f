"""Who may see what: the one place that decides which contacts, introductions, goals (and all
else people keep here) a viewer may read, and as whom. Every view, API handler, export and
feed reads through it.

- `scope(queryset, viewer)` narrows a queryset to what the viewer may see;
- `get_or_404(queryset, viewer, **lookup)` fetches one such object or raises Http404, so that
  another person's object looks exactly like one that does not exist;
- `roles_of(intro, viewer)` says as whom the viewer sees an introduction, and
  `target_shown(intro, roles)` what of its target they may see.

The rules speak in field paths, keyed by model label, not in model classes: every app, from
contacts at the bottom to goals at the top, can read through this module without importing
anything above itself. A model without a rule cannot be read through it at all (LookupError),
and a test checks that every model holding someone's data has one.

Where do I add a new role that may read introductions (a coach, say)? Here: which
introductions in `_intro_parties`, as whom in `roles_of`, what of the target in `target_shown`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias, TypeVar, cast

from django.db.models import Manager, Model, Q, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)
ROLES = ("connector", "seeker", "target")


# What this module reads of accounts and introductions, as protocols: both apps sit above it.
class Viewer(Protocol):
    """Who is reading: an account, or Django's AnonymousUser."""

    @property
    def pk(self) -> int | None: ...
    @property
    def is_authenticated(self) -> bool: ...
    @property
    def is_staff(self) -> bool: ...


class NamedAccount(Protocol):
    @property
    def display_name(self) -> str: ...


class IntroParties(Protocol):
    """An introduction, as far as who takes part and what of its target they see.

    The party columns (`connector_user_id`, `seeker_user_id`, `target_user_id`,
    `connector_name`…) are read by name with getattr.
    """

    @property
    def created_by_id(self) -> int: ...
    @property
    def logged_as(self) -> str: ...
    @property
    def creator_role(self) -> str: ...
    @property
    def double_opt_in(self) -> bool: ...
    @property
    def target_name(self) -> str: ...
    @property
    def target_email(self) -> str: ...
    @property
    def target_email_by_connector(self) -> bool: ...
    @property
    def target_declined(self) -> bool: ...
    @property
    def target_agreed(self) -> bool: ...


class RecordedEvent(Protocol):
    """An event in an introduction's history, as far as who recorded it."""

    @property
    def actor_role(self) -> str: ...
    @property
    def actor_user_id(self) -> int | None: ...
    @property
    def actor_user(self) -> NamedAccount | None: ...
    @property
    def actor_name(self) -> str: ...


Rule = Callable[[Viewer], Q]
# What scope() reads from: a queryset, a manager, or a model (all its rows).
Rows: TypeAlias = "QuerySet[M] | Manager[M] | type[M]"


def _field(path: str) -> Rule:
    """Visible to the account that `path` points to (its owner, its user)."""
    return lambda viewer: Q(**{path: viewer})


def _intro_parties(viewer: Viewer) -> Q:
    """The introductions a viewer takes part in, or logged."""
    return (
        Q(seeker_user=viewer)
        | Q(connector_user=viewer)
        | Q(target_user=viewer)
        | Q(created_by=viewer)
    )


def _prefixed(condition: Q, path: str) -> Q:
    prefixed = Q(_connector=condition.connector, _negated=condition.negated)
    prefixed.children = [
        _prefixed(child, path) if isinstance(child, Q) else _prefixed_lookup(child, path)
        for child in condition.children
    ]
    return prefixed


def _prefixed_lookup(child: object, path: str) -> tuple[str, Any]:
    # A Q's children are Qs or (lookup, value) pairs; _prefixed takes the Qs.
    lookup, value = cast(tuple[str, Any], child)
    return f"{path}__{lookup}", value


def _through(path: str, rule: Rule) -> Rule:
    """Visible when the object `path` points to is."""
    return lambda viewer: _prefixed(rule(viewer), path)


_owner = _field("owner")
_user = _field("user")

RULES: dict[str, Rule] = {
    "accounts.apitoken": _user,
    "network.contact": _owner,
    "network.contactemail": _owner,
    "network.tag": _owner,
    "network.contacttag": _through("tag", _owner),
    "network.interaction": _owner,
    "network.notduplicate": _owner,
    "network.importupload": _owner,
    "network.importrun": _owner,
    "network.importjob": _owner,
    "network.importjobbatch": _through("job", _owner),
    "intros.intro": _intro_parties,
    "intros.introevent": _through("intro", _intro_parties),
    "intros.introsettings": _user,
    "intros.messagetemplate": _user,
    "goals.goal": _owner,
    "goals.need": _through("goal", _owner),
    "goals.brief": _owner,
    "goals.ask": _owner,
    "goals.application": _owner,
    "goals.targets": _user,
    "capture.captureaddress": _user,
    "capture.capturedmessage": _owner,
    "reminders.notificationsettings": _user,
    "reminders.snooze": _user,
    "reminders.reminder": _user,
    "reminders.digestlinkuse": _user,
    "outbox.message": _user,
}


def scope(queryset: "Rows[M]", viewer: Viewer | None) -> "QuerySet[M]":
    """The part of `queryset` (or of a model's rows) that `viewer` may see."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    elif isinstance(queryset, Manager):
        queryset = queryset.all()
    label = queryset.model._meta.label_lower
    rule = RULES.get(label)
    if rule is None:
        raise LookupError(f"No access rule for {label}: add one to introloop.access.RULES")
    if viewer is None or not viewer.is_authenticated:
        return queryset.none()
    return queryset.filter(rule(viewer))


def get_or_404(queryset: "Rows[M]", viewer: Viewer | None, **lookup: Any) -> M:
    """One object the viewer may see, or Http404: never a hint that it exists."""
    found = scope(queryset, viewer).filter(**lookup).first()
    if found is None:
        raise Http404
    return found


def staff_scope(queryset: "Rows[M]", viewer: Viewer | None) -> "QuerySet[M]":
    """Everyone's rows, for the staff pages (the outbox); none for anyone else."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    elif isinstance(queryset, Manager):
        queryset = queryset.all()
    return queryset if is_staff(viewer) else queryset.none()


def is_staff(viewer: Viewer | None) -> bool:
    return bool(viewer is not None and viewer.is_authenticated and viewer.is_staff)


def roles_of(intro: IntroParties, viewer: Viewer) -> set[str]:
    """The parts `viewer` plays in the introduction (one person can play two).

    Whoever logged it without being named in it (their address changed since) sees it as the
    party they logged it as.
    """
    roles = {role for role in ROLES if getattr(intro, f"{role}_user_id") == viewer.pk}
    if not roles and intro.created_by_id == viewer.pk:
        roles = {intro.creator_role}
    return roles


def party_roles(intro: IntroParties, user_id: int) -> set[str]:
    """The parts the account `user_id` plays, from the party columns alone (no query)."""
    return {role for role in ROLES if getattr(intro, f"{role}_user_id") == user_id}


@dataclass
class TargetShown:
    name: str
    email: str  # "" when the viewer may not see it yet


DECLINED_TARGET = "the person you hoped to meet"


def target_shown(intro: IntroParties, roles: set[str]) -> TargetShown:
    """What of the target a viewer with `roles` may see.

    With double opt-in, a seeker sees the target's address only once the target agreed, and
    a declined target's name and address never; unless the seeker brought the target
    themselves (they logged the introduction, `logged_as`: a fact that survives the
    connector's account being deleted). A seeker who asked for someone by name knows the
    name, but not an address the connector supplied, until the target agrees.
    """
    if roles != {"seeker"} or not intro.double_opt_in:
        return TargetShown(intro.target_name, intro.target_email)
    brought = intro.logged_as == "seeker"
    if brought and not intro.target_email_by_connector:
        return TargetShown(intro.target_name, intro.target_email)
    if intro.target_declined:
        return TargetShown(intro.target_name if brought else DECLINED_TARGET, "")
    if not intro.target_agreed:
        return TargetShown(intro.target_name, "")
    return TargetShown(intro.target_name, intro.target_email)


def party_name(intro: IntroParties, role: str, roles: set[str]) -> str:
    """How a viewer with `roles` sees the name of the party playing `role`."""
    if role == "target":
        return target_shown(intro, roles).name
    name: str = getattr(intro, f"{role}_name")
    return name


def actor_name(intro: IntroParties, event: RecordedEvent, roles: set[str]) -> str:
    """Who recorded an event in the introduction's history, as the viewer may see it: ""
    when it was a target the viewer may not know."""
    if event.actor_role == "target":
        shown = target_shown(intro, roles)
        return "" if shown.name == DECLINED_TARGET else shown.name
    if event.actor_user_id is not None and event.actor_user is not None:
        return event.actor_user.display_name
    return event.actor_name or event.actor_role

"""Operations on introductions: create, send the app's emails, act through links, check in."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from introloop.accounts.models import User, normalize_email
from introloop.network.models import Contact, ContactEmail
from introloop.outbox.services import queue_message

from . import lifecycle, messages
from .lifecycle import lower_first
from .models import DEFAULT_RULES, ActionLink, Intro, IntroSettings, Role, State

LINK_SALT = "introloop.intros.link"
LINK_DAYS = 30
CHECKIN_AFTER = timedelta(days=7)


class IntroRefused(Exception):
    """The introduction cannot be created; the message says why."""


@dataclass
class Party:
    name: str
    email: str


@dataclass
class NewIntro:
    connector: Party
    seeker: Party
    target: Party
    purpose: str
    double_opt_in: bool = True
    start: str = "requested"  # requested, introduced or met
    at: datetime | None = None  # when that starting point happened
    parent_id: int | None = None
    warnings: list[str] = field(default_factory=list)


def settings_for(user: User) -> IntroSettings:
    found = IntroSettings.objects.filter(user=user).first()
    return found or IntroSettings(user=user)


def verified_user(email: str) -> User | None:
    return User.objects.filter(
        email=normalize_email(email), email_verified_at__isnull=False, is_active=True
    ).first()


def own_contact(user: User, email: str) -> Contact | None:
    found = ContactEmail.objects.filter(owner=user, email=normalize_email(email)).first()
    return found.contact if found else None


def recent_asks(target_email: str, now: datetime, days: int) -> tuple[int, datetime | None]:
    """How often anyone here asked for an introduction to this address lately, and when last.

    Counts only: who asked is never revealed.
    """
    recent = Intro.objects.filter(
        target_email=normalize_email(target_email), created_at__gte=now - timedelta(days=days)
    )
    last = recent.order_by("-created_at").values_list("created_at", flat=True).first()
    return recent.count(), last


def cooldown_warning(target: Party, user: User, now: datetime) -> str | None:
    days = settings_for(user).cooldown_days
    count, last = recent_asks(target.email, now, days)
    if not count:
        return None
    last_local = last.astimezone(user.zone)
    times = "once" if count == 1 else f"{count} times"
    return (
        f"{target.name} was asked for an introduction {times} in the last {days} days, most "
        f"recently on {last_local:%-d %b %Y}. Consider giving them a break."
    )


def _cap_refusal(creator: User, target: Party, now: datetime) -> str | None:
    contact = own_contact(creator, target.email)
    if not contact or not contact.intro_cap_per_month:
        return None
    made = Intro.objects.filter(
        created_by=creator,
        connector_email=creator.email,
        target_email=normalize_email(target.email),
        created_at__gte=now - timedelta(days=30),
    ).count()
    if made >= contact.intro_cap_per_month:
        return (
            f"You capped introductions to {contact.full_name} at "
            f"{contact.intro_cap_per_month} a month, and made {made} in the last 30 days."
        )
    return None


@transaction.atomic
def create_intro(creator: User, new: NewIntro, now: datetime) -> tuple[Intro, list[str]]:
    """Create an introduction; the creator is whichever party has their email."""
    parties = {"connector": new.connector, "seeker": new.seeker, "target": new.target}
    for party in parties.values():
        party.email = normalize_email(party.email)
        party.name = " ".join(party.name.split())
    if new.seeker.email == new.target.email:
        raise IntroRefused("The seeker and the target must be two different people.")
    if creator.email not in {p.email for p in parties.values()}:
        raise IntroRefused(
            f"You ({creator.email}) must be one of the three people: the connector, the seeker "
            "or the target."
        )
    at = new.at or now
    if at > now + timedelta(minutes=5):
        raise IntroRefused("That date is in the future; log an introduction once it happened.")
    parent = None
    if new.parent_id is not None:
        parent = visible_intros(creator).filter(pk=new.parent_id).first()
        if parent is None:
            raise IntroRefused(f"No introduction {new.parent_id} of yours to follow on from.")
    if new.connector.email == creator.email and (reason := _cap_refusal(creator, new.target, now)):
        raise IntroRefused(reason)
    warnings = [w for w in [cooldown_warning(new.target, creator, now)] if w]

    intro = Intro(
        created_by=creator,
        purpose=new.purpose.strip(),
        double_opt_in=new.double_opt_in,
        parent=parent,
        rules=settings_for(creator).rules() if creator else dict(DEFAULT_RULES),
        created_at=now,
        updated_at=now,
    )
    for role, party in parties.items():
        setattr(intro, f"{role}_name", party.name)
        setattr(intro, f"{role}_email", party.email)
        setattr(intro, f"{role}_user", creator if party.email == creator.email else
                verified_user(party.email))  # fmt: skip
        setattr(intro, f"{role}_contact", own_contact(creator, party.email))
    lifecycle.start(intro, new.start, at)
    intro.save()
    intro.events.create(
        type=new.start, at=at, recorded_at=now, actor_role=intro.creator_role,
        actor_user=creator, note=intro.purpose if new.start == "requested" else "",
    )  # fmt: skip
    return intro, warnings


def visible_intros(user: User):
    """Introductions `user` is a party to (or created)."""
    return Intro.objects.filter(
        Q(seeker_user=user) | Q(connector_user=user) | Q(target_user=user) | Q(created_by=user)
    )


# --- Links for people without accounts --------------------------------------------------------


def make_link(
    intro: Intro, role: str, actions: list[str], now: datetime, pending: list | None = None
) -> str:
    """An absolute, signed URL that lets `role` record one of `actions`, once.

    With `pending`, the link's row is added to that list for the caller to bulk-create in the
    same transaction as the email that carries it.
    """
    link = ActionLink(
        intro=intro,
        role=role,
        actions=actions,
        created_at=now,
        expires_at=now + timedelta(days=LINK_DAYS),
    )
    if pending is None:
        link.save()
    else:
        pending.append(link)
    token = signing.dumps(link.key, salt=LINK_SALT)
    return settings.SITE_URL + reverse("intros:link", args=[token])


class LinkProblem(Exception):
    """The link cannot be used; the message says why."""


def link_for_token(token: str, now: datetime) -> ActionLink:
    try:
        key = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature:
        raise LinkProblem("This link is not valid. Check that it was copied whole.") from None
    link = ActionLink.objects.select_related("intro").filter(key=key).first()
    if link is None:
        raise LinkProblem("This link is not valid. Check that it was copied whole.")
    if link.used_at is not None:
        raise LinkProblem("This link was already used; thank you, your answer was recorded.")
    if link.expires_at < now:
        raise LinkProblem("This link has expired. The person who wrote to you can send a new one.")
    return link


@transaction.atomic
def use_link(token: str, action: str, now: datetime, **details) -> Intro:
    """Spend the link on `action`: exactly once, even when two tabs click at the same moment."""
    link = link_for_token(token, now)
    if action not in link.actions:
        raise LinkProblem("This link cannot do that.")
    claimed = ActionLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=now, used_for=action
    )
    if claimed != 1:
        raise LinkProblem("This link was already used; thank you, your answer was recorded.")
    name, _ = link.intro.party(link.role)
    if action == "not_yet":
        return lifecycle.record_event(
            link.intro_id, "note", roles={link.role}, now=now, actor_name=name, via="link",
            note="The target says the seeker has not been in touch yet.",
        )  # fmt: skip
    try:
        return lifecycle.record_event(
            link.intro_id, action, roles={link.role}, now=now, actor_name=name, via="link",
            **details,
        )  # fmt: skip
    except lifecycle.StepRefused as refused:
        raise LinkProblem(str(refused)) from None


# --- Emails the app sends -------------------------------------------------------------------


def _actor_roles(intro: Intro, user: User) -> set[str]:
    return set(intro.roles_of(user))


def send_opt_in_request(intro: Intro, user: User, now: datetime) -> Intro:
    """Email the target the connector's question, with accept/decline links; record "asked"."""
    with transaction.atomic():
        intro = lifecycle.record_event(
            intro.pk, "asked", roles=_actor_roles(intro, user), now=now, actor_user=user,
            note="Asked by email through Introloop.",
        )  # fmt: skip
        link = make_link(intro, Role.TARGET, ["accepted", "declined"], now)
        draft = messages.draft("connector_ask", intro, user)
        body = f"{draft.body}\n\nPlease answer with one click:\n{link}\n"
        queue_message(
            to=[intro.target_email], subject=draft.subject, body_text=body,
            reply_to=[intro.connector_email], user=intro.target_user, now=now,
        )  # fmt: skip
    return intro


def send_introduction(intro: Intro, user: User, now: datetime) -> Intro:
    """Email the introduction to the seeker and the target together; record "introduced".

    A seeker without an account also gets a private note with one-click links for their
    next step.
    """
    with transaction.atomic():
        intro = lifecycle.record_event(
            intro.pk, "introduced", roles=_actor_roles(intro, user), now=now, actor_user=user,
            note="Introduction emailed through Introloop.",
        )  # fmt: skip
        draft = messages.draft("connector_introduce", intro, user)
        queue_message(
            to=[intro.seeker_email, intro.target_email], cc=[intro.connector_email],
            subject=draft.subject, body_text=draft.body, reply_to=[intro.connector_email],
            now=now,
        )  # fmt: skip
        if intro.seeker_user_id is None:
            queue_seeker_step_email(intro, now)
    return intro


SEEKER_LINKS = {
    State.INTRODUCED: [("reached_out", "I have written to them")],
    State.REACHED_OUT: [("followed_up", "I followed up"), ("met", "We talked")],
    State.SCHEDULED: [("met", "We talked")],
    State.MET: [("thanked", "I said thank you"), ("loop_closed", "Tell the connector how it went")],
    State.THANKED: [("loop_closed", "Tell the connector how it went")],
}


def queue_seeker_step_email(intro: Intro, now: datetime) -> None:
    """A note to a seeker without an account: their next step, with a link per choice."""
    choices = SEEKER_LINKS.get(intro.state, [])
    if not choices:
        return
    lines = [
        f"- {label}: {make_link(intro, Role.SEEKER, [action], now)}" for action, label in choices
    ]
    steps = lifecycle.next_steps(intro)
    step = steps[0].title(intro) if steps else ""
    body = (
        f"Hello {intro.seeker_name},\n\n{intro.connector_name} introduced you to "
        f"{intro.target_name}. Next: {lower_first(step)}.\n\nWhen you have, let "
        f"{intro.connector_name} know with one click:\n" + "\n".join(lines) + "\n\n"
        "These links work once and for 30 days.\n"
    )
    queue_message(
        to=[intro.seeker_email], subject=f"Your introduction to {intro.target_name}",
        body_text=body, now=now,
    )  # fmt: skip


def queue_target_checkins(now: datetime, limit: int = 200) -> int:
    """About a week after an introduction, ask the target: did they get in touch?

    Each introduction is claimed with a conditional update in the same transaction as the
    email, so several workers send each check-in exactly once.
    """
    due = Intro.objects.filter(
        checkin_sent_at__isnull=True,
        introduced_at__lte=now - CHECKIN_AFTER,
        state__in=[State.INTRODUCED, State.REACHED_OUT, State.SCHEDULED],
    ).values_list("pk", flat=True)[:limit]
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            if not Intro.objects.filter(pk=pk, checkin_sent_at__isnull=True).update(
                checkin_sent_at=now
            ):
                continue  # another worker took it
            intro = Intro.objects.get(pk=pk)
            yes = make_link(intro, Role.TARGET, ["reached_out"], now)
            not_yet = make_link(intro, Role.TARGET, ["not_yet"], now)
            queue_message(
                to=[intro.target_email],
                subject=f"Did {intro.seeker_name} get in touch?",
                body_text=(
                    f"Hello {intro.target_name},\n\nAbout a week ago {intro.connector_name} "
                    f"introduced you to {intro.seeker_name}. Did {intro.seeker_name} get in "
                    f"touch? One click tells {intro.connector_name}:\n\n"
                    f"- Yes, they got in touch: {yes}\n- Not yet: {not_yet}\n\n"
                    "Thank you for helping.\n"
                ),
                user=intro.target_user,
                now=now,
            )
            sent += 1
    return sent


def link_intros_to(user: User) -> int:
    """Attach introductions that name `user`'s newly verified address to their account."""
    changed = 0
    for role in Role.values:
        changed += Intro.objects.filter(
            **{f"{role}_email": user.email, f"{role}_user__isnull": True}
        ).update(**{f"{role}_user": user})
    return changed


def hand_over_introductions(user: User) -> None:
    """Before `user` is deleted: keep introductions that other registered people share, with
    `user`'s name and address removed; those are theirs too."""
    for intro in visible_intros(user):
        others = [
            getattr(intro, f"{role}_user_id")
            for role in Role.values
            if getattr(intro, f"{role}_user_id") not in (None, user.pk)
        ]
        if not others:
            continue  # deleted with the account
        for role in Role.values:
            if (
                getattr(intro, f"{role}_user_id") == user.pk
                or getattr(intro, f"{role}_email") == user.email
            ):
                setattr(intro, f"{role}_name", "A former member")
                setattr(intro, f"{role}_email", "")
                setattr(intro, f"{role}_user", None)
                setattr(intro, f"{role}_contact", None)
        if intro.created_by_id == user.pk:
            intro.created_by_id = others[0]
        intro.save()
        intro.events.filter(actor_user=user).update(actor_name="A former member")

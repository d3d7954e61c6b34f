"""Operations on introductions: create them, send the app's emails for the connector, keep
their parties attached to accounts, and the user's own wording of drafted messages."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from introloop import access
from introloop.accounts.models import User, normalize_email
from introloop.network.models import Contact, ContactEmail
from introloop.outbox.services import queue_email, sent_for_lately

from . import lifecycle, links, messages, notices
from .links import links_for, make_link
from .models import DEFAULT_RULES, Intro, IntroSettings, MessageTemplate, Role, State
from .signals import intro_created
from .steps import REQUEST_ANSWERS, STEPS, choices_for, lower_first


class IntroRefused(Exception):
    """The introduction cannot be created; the message says why."""


@dataclass
class Party:
    name: str
    email: str
    company: str = ""  # for the target of a request: helps the connector place them
    url: str = ""  # a LinkedIn (or other) page of theirs


@dataclass
class NewIntro:
    connector: Party
    seeker: Party
    target: Party
    purpose: str
    double_opt_in: bool = True
    start: str = "requested"  # requested, introduced or met: see lifecycle.STARTS
    at: datetime | None = None  # when that starting point happened; now when None
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
    if not count or last is None:  # None: the first ask arrived between the two reads
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
    seeker_asks = new.start == "requested" and creator.email == new.seeker.email
    if not new.target.email and not seeker_asks:
        raise IntroRefused(
            "The target's email is needed, unless you are the seeker asking for the "
            "introduction: then the connector supplies it."
        )
    url = new.target.url.strip()
    if url and (not url.lower().startswith(("https://", "http://")) or " " in url):
        raise IntroRefused("The target's page must be a web address, such as https://…")
    if new.target.email and new.seeker.email == new.target.email:
        raise IntroRefused("The seeker and the target must be two different people.")
    if creator.email not in {p.email for p in parties.values()}:
        raise IntroRefused(
            f"You ({creator.email}) must be one of the three people: the connector, the seeker "
            "or the target."
        )
    if new.start not in lifecycle.STARTS:
        raise IntroRefused(f"An introduction starts as one of {', '.join(lifecycle.STARTS)}.")
    at = new.at or now
    if at > now + timedelta(minutes=5):
        raise IntroRefused("That date is in the future; log an introduction once it happened.")
    parent = None
    if new.parent_id is not None:
        parent = access.scope(Intro.objects, creator).filter(pk=new.parent_id).first()
        if parent is None:
            raise IntroRefused(f"No introduction {new.parent_id} of yours to follow on from.")
    if new.connector.email == creator.email and (reason := _cap_refusal(creator, new.target, now)):
        raise IntroRefused(reason)
    others = [(p.name, p.email) for p in parties.values() if p.email != creator.email]
    if reason := notices.stop_refusal(others):
        raise IntroRefused(reason)
    warnings = [w for w in [new.target.email and cooldown_warning(new.target, creator, now)] if w]

    intro = Intro(
        created_by=creator,
        purpose=new.purpose.strip(),
        # Asking the target first only makes sense before the introduction.
        double_opt_in=new.double_opt_in and new.start == "requested",
        parent=parent,
        rules=settings_for(creator).rules() if creator else dict(DEFAULT_RULES),
        created_at=now,
        updated_at=now,
        clock_at=now,
    )
    intro.logged_as = next(role for role, party in parties.items() if party.email == creator.email)
    intro.target_company = new.target.company.strip()
    intro.target_url = new.target.url.strip()
    for role, party in parties.items():
        setattr(intro, f"{role}_name", party.name)
        setattr(intro, f"{role}_email", party.email)
        setattr(
            intro,
            f"{role}_user",
            creator if party.email == creator.email else verified_user(party.email),
        )
        if party.email:
            setattr(intro, f"{role}_contact", own_contact(creator, party.email))
    lifecycle.start(intro, new.start, at)
    intro.save()
    intro.events.create(
        type=new.start,
        at=at,
        recorded_at=now,
        actor_role=intro.creator_role,
        actor_user=creator,
        note=intro.purpose if new.start == "requested" else "",
    )
    if is_request(intro):
        try:
            check_may_email_others(creator, now)
        except SendRefused as refused:
            # Saved all the same; the sweep tells the connector once it may (a confirmed
            # address, tomorrow's allowance).
            warnings.append(f"{intro.connector_name} was not emailed yet: {refused}")
    intro_created.send(sender=Intro, intro=intro, now=now)
    return intro, warnings


def seeker_led(intro: Intro) -> bool:
    """Logged by the seeker, with a connector who is someone else: the connector hears of
    their steps by email (with links), since they may have no account."""
    return (
        intro.logged_as == Role.SEEKER
        and bool(intro.connector_email)
        and intro.connector_email != intro.seeker_email
    )


def is_request(intro: Intro) -> bool:
    """A seeker asking a connector, who is told by email (reminders.kinds.connector_request)."""
    return intro.state == State.REQUESTED and seeker_led(intro)


# --- Emails the app sends -------------------------------------------------------------------


class SendRefused(Exception):
    """The app will not email others for this account now; the message says why."""

    def __init__(self, message: str, *, limit_reached: bool = False):
        super().__init__(message)
        self.limit_reached = limit_reached


def check_may_email_others(user: User, now: datetime, count: int = 1) -> None:
    """Raise SendRefused unless the app may send `count` emails to others for `user`.

    Only from a confirmed address, and at most so many a day (fewer for new accounts), so
    that nobody can use Introloop to send their text to strangers.
    """
    if not user.is_verified:
        raise SendRefused(
            "Confirm your email address first (Settings → Profile): Introloop writes to other "
            "people for you only from a confirmed address. Meanwhile, the drafted message is "
            "yours to send from your own mail."
        )
    new = user.date_joined > now - timedelta(days=settings.NEW_ACCOUNT_DAYS)
    limit = settings.OTHERS_EMAILS_PER_DAY_NEW if new else settings.OTHERS_EMAILS_PER_DAY
    sent = sent_for_lately(user, now)
    if sent + count > limit:
        raise SendRefused(
            f"Introloop has sent {sent} emails for you in the last 24 hours, the most it sends "
            f"for {'a new account' if new else 'one account'} in a day. Send this one from your "
            "own mail (the drafted message is on the page), or try again tomorrow.",
            limit_reached=True,
        )


def _step_draft(step: str, intro: Intro, user: User | None) -> messages.Draft:
    """The drafted message of a step that has one (asking the target, introducing)."""
    key = STEPS[step].draft
    if key is None:
        raise AssertionError(f"The step {step} has no drafted message to send")
    return messages.draft(key, intro, user)


@dataclass
class Acting:
    """Who has the app write for the connector: the connector's account, or the connector
    through the link of a seeker's request (then the seeker's account answers for the mail)."""

    roles: set[str]
    user: User | None
    name: str
    via: str
    sent_for: User

    @classmethod
    def account(cls, intro: Intro, user: User) -> "Acting":
        return cls(access.roles_of(intro, user), user, "", "web", user)

    @classmethod
    def link(cls, intro: Intro) -> "Acting":
        return cls({Role.CONNECTOR}, None, intro.connector_name, "link", intro.created_by)


def sender(name: str) -> str:
    """ "Cora Lindqvist via Introloop" <the instance's address>: mail the app sends for someone
    shows their name, from the instance's own address (so that it is delivered)."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((f"{name} via {settings.SITE_NAME}", address))


def send_opt_in_request(intro: Intro, user: User, now: datetime) -> Intro:
    """Email the target the connector's question, with accept/decline links; record "asked"."""
    return ask_target(intro, Acting.account(intro, user), now)


def ask_target(intro: Intro, acting: Acting, now: datetime) -> Intro:
    if reason := notices.stop_refusal([intro.party(Role.TARGET)]):
        raise SendRefused(reason)
    check_may_email_others(acting.sent_for, now)
    with transaction.atomic():
        intro = lifecycle.record_event(
            intro.pk,
            "asked",
            roles=acting.roles,
            now=now,
            actor_user=acting.user,
            actor_name=acting.name,
            via=acting.via,
            note="Asked by email through Introloop.",
        )
        answer = STEPS["answer"]
        link = make_link(intro, Role.TARGET, [c.event for c in answer.choices], now)
        draft = _step_draft("ask_target", intro, acting.user)
        queue_email(
            "intros/opt_in_question",
            {
                "subject": draft.subject,
                "body": draft.body,
                "link": link,
                "seeker": intro.seeker_name,
                "about": intro.seeker_about,
                "brief_url": intro.seeker_brief_url,
                "notices": notices.notices_for(intro, [Role.TARGET]),
            },
            to=[intro.target_email],
            from_email=sender(intro.connector_name),
            reply_to=[intro.connector_email],
            user=intro.target_user,
            sent_for=acting.sent_for,
            topic=lifecycle.topic(intro, "answer"),
            now=now,
        )
    return intro


def send_introduction(intro: Intro, user: User, now: datetime) -> Intro:
    """Email the introduction to the seeker and the target together; record "introduced"."""
    return introduce(intro, Acting.account(intro, user), now)


def introduce(intro: Intro, acting: Acting, now: datetime) -> Intro:
    """Addressed to the seeker and the target, the connector in Cc, and Reply-To all three:
    the target's plain Reply reaches the seeker, Reply all everyone. A seeker without an
    account also gets a private note with one-click links for their next step."""
    if reason := notices.stop_refusal([intro.party(Role.SEEKER), intro.party(Role.TARGET)]):
        raise SendRefused(reason)
    check_may_email_others(acting.sent_for, now, count=2 if intro.seeker_user_id is None else 1)
    with transaction.atomic():
        intro = lifecycle.record_event(
            intro.pk,
            "introduced",
            roles=acting.roles,
            now=now,
            actor_user=acting.user,
            actor_name=acting.name,
            via=acting.via,
            note="Introduction emailed through Introloop.",
        )
        draft = _step_draft("introduce", intro, acting.user)
        queue_email(
            "intros/introduction",
            {
                "subject": draft.subject,
                "body": draft.body,
                "notices": notices.notices_for(intro, [Role.SEEKER, Role.TARGET], shared=True),
            },
            to=[intro.seeker_email, intro.target_email],
            cc=[intro.connector_email],
            from_email=sender(intro.connector_name),
            reply_to=[intro.seeker_email, intro.target_email, intro.connector_email],
            sent_for=acting.sent_for,
            now=now,
        )
        if intro.seeker_user_id is None:
            queue_seeker_step_email(intro, now, sent_for=acting.sent_for)
    return intro


REASON_MAX = 2000


def answer_request(
    intro: Intro,
    action: str,
    acting: Acting,
    now: datetime,
    *,
    target_email: str = "",
    reason: str = "",
) -> Intro:
    """The connector answers a seeker's request: ask the target first ("asked"), introduce
    now ("introduced"), or pass ("withdrawn", with a reason the seeker reads)."""
    if action == "withdrawn":
        return pass_request(intro, acting, now, reason)
    if acting.user is not None and Role.CONNECTOR not in acting.roles:
        raise lifecycle.EventRefused("Only the connector can have Introloop write for them.")
    if action not in ("asked", "introduced"):
        raise lifecycle.EventRefused("Choose one of the answers on the page.")
    if not intro.target_email:
        intro = _supply_target_email(intro, target_email)
    if action == "introduced" and intro.double_opt_in and intro.state == State.REQUESTED:
        # "Introduce now" is the connector's call: they know the target well enough.
        Intro.objects.filter(pk=intro.pk).update(double_opt_in=False)
        intro.double_opt_in = False
    if action == "asked":
        return ask_target(intro, acting, now)
    return introduce(intro, acting, now)


def _supply_target_email(intro: Intro, email: str) -> Intro:
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise lifecycle.EventRefused(
            f"Give {intro.target_name}'s email address: Introloop writes to them for you."
        ) from None
    if email == intro.seeker_email:
        raise lifecycle.EventRefused("That is the seeker's own address.")
    Intro.objects.filter(pk=intro.pk).update(
        target_email=email, target_user=verified_user(email), target_email_by_connector=True
    )
    intro.refresh_from_db()
    return intro


def answer_by_link(
    token: str,
    action: str,
    now: datetime,
    *,
    outcome: str = "",
    target_email: str = "",
    reason: str = "",
) -> Intro:
    """Spend a one-click link on `action` and do it; links.LinkProblem says why not (and
    links.AlreadyDone, kindly, when it was done already)."""
    with transaction.atomic():
        link = links.link_for_token(token, now)
        if link.role == Role.TARGET and action in ("accepted", "declined"):
            intro = links.use_link(token, action, now)
            tell_connector_the_answer(intro, now)
            return intro
        if link.role != Role.CONNECTOR or action not in REQUEST_ANSWERS:
            return links.use_link(token, action, now, outcome=outcome)
        links.spend(token, action, now)
        try:
            return answer_request(
                link.intro, action, Acting.link(link.intro), now,
                target_email=target_email, reason=reason,
            )  # fmt: skip
        except lifecycle.EventRefused as refusal:
            raise links.refused(link, str(refusal)) from None
        except SendRefused as refusal:
            raise links.LinkProblem(str(refusal)) from None


def tell_connector_the_answer(intro: Intro, now: datetime) -> None:
    """The target answered the connector's question: the connector hears at once, with a
    link to introduce them (or to pass) when they said yes."""
    if not intro.connector_email or intro.connector_email == intro.seeker_email:
        return
    accepted = intro.state == State.ACCEPTED
    context = {
        "connector_first": intro.connector_name.split()[0],
        "seeker": intro.seeker_name,
        "target": intro.target_name,
        "accepted": accepted,
        "link": make_link(intro, Role.CONNECTOR, ["introduced", "withdrawn"], now)
        if accepted
        else "",
        "intro_url": settings.SITE_URL + reverse("intros:detail", args=[intro.pk])
        if intro.connector_user_id
        else "",
    }
    queue_email(
        "intros/target_answered",
        context,
        to=[intro.connector_email],
        user=intro.connector_user,
        topic=lifecycle.topic(intro, "introduce") if accepted else "",
        now=now,
    )


def pass_request(intro: Intro, acting: Acting, now: datetime, reason: str) -> Intro:
    """The connector passes: the introduction ends as withdrawn, the reason in its history,
    and the seeker hears it kindly."""
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise lifecycle.EventRefused(
            f"Keep the reason under {REASON_MAX:,} characters; a sentence or two is plenty."
        )
    with transaction.atomic():
        intro = lifecycle.record_event(
            intro.pk,
            "withdrawn",
            roles=acting.roles,
            now=now,
            actor_user=acting.user,
            actor_name=acting.name,
            via=acting.via,
            note=reason or f"{intro.connector_name} passed on this request.",
        )
        queue_email(
            "intros/request_passed",
            {
                "seeker_first": intro.seeker_name.split()[0] if intro.seeker_name else "",
                "connector": intro.connector_name,
                "connector_first": intro.connector_name.split()[0],
                "target": intro.target_name,
                "reason": reason,
            },
            to=[intro.seeker_email],
            from_email=sender(intro.connector_name),
            reply_to=[intro.connector_email],
            user=intro.seeker_user,
            now=now,
        )
    return intro


def queue_seeker_step_email(intro: Intro, now: datetime, sent_for: User | None = None) -> None:
    """A note to a seeker without an account: their next step, with a link per choice."""
    steps = lifecycle.next_steps(intro)
    choices = choices_for([s.step for s in steps])
    if not choices:
        return
    context = {
        "seeker": intro.seeker_name,
        "connector": intro.connector_name,
        "target": intro.target_name,
        "next": lower_first(steps[0].title(intro)),
        "choices": links_for(intro, Role.SEEKER, choices, now),
        "notices": notices.notices_for(intro, [Role.SEEKER]),
    }
    queue_email(
        "intros/seeker_step",
        context,
        to=[intro.seeker_email],
        sent_for=sent_for,
        topic=lifecycle.topic(intro, steps[0].step),
        now=now,
    )


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
    for intro in access.scope(Intro.objects, user):
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


def save_intro_settings(user: User, values: dict[str, int]) -> IntroSettings:
    """Change some of the user's due-date rules or cooldown; new introductions use them."""
    current, _ = IntroSettings.objects.update_or_create(user=user, defaults=values)
    return current


def save_message_template(user: User, key: str, subject: str, body: str) -> None:
    """The user's own wording for one of the drafted messages."""
    MessageTemplate.objects.update_or_create(
        user=user, key=key, defaults={"subject": subject, "body": body}
    )


def reset_message_template(user: User, key: str) -> None:
    """Back to Introloop's wording."""
    MessageTemplate.objects.filter(user=user, key=key).delete()

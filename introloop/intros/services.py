"""Operations on introductions: create them, keep their parties attached to accounts, and the
user's own wording of drafted messages. The emails the app writes for the connector are in
sending.py."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from introloop import access
from introloop.accounts.models import User, normalize_email
from introloop.network.importers.decoding import normalize_linkedin_url
from introloop.network.importers.records import ContactRecord
from introloop.network.models import Contact, ContactEmail, fold
from introloop.network.services import create_contact

from . import lifecycle, notices
from .allowance import SendRefused, check_may_email_others
from .models import DEFAULT_RULES, Intro, IntroSettings, MessageTemplate, Role, State
from .signals import intro_created


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
    # The web form's choice: people not yet in the creator's contacts become contacts.
    add_contacts: bool = False


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
    """The words shown when `target` was asked lately: live on the form as the target is
    picked, and again once the introduction is saved."""
    if not target.email:
        return None
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


def cap_refusal(creator: User, target: Party, now: datetime) -> str | None:
    """Why a connector may not introduce `target` again this month (their own cap on that
    contact), or None: live on the form, and the refusal when saving."""
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
    if new.connector.email == creator.email and (reason := cap_refusal(creator, new.target, now)):
        raise IntroRefused(reason)
    others = [(p.name, p.email) for p in parties.values() if p.email != creator.email]
    if reason := notices.stop_refusal(others):
        raise IntroRefused(reason)
    warnings = [w for w in [cooldown_warning(new.target, creator, now)] if w]
    contacts = {
        role: contact_for_party(creator, party, now)
        for role, party in parties.items()
        if new.add_contacts and party.email != creator.email and party.name
    }

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
        if contacts.get(role) is not None:
            setattr(intro, f"{role}_contact", contacts[role])
        elif party.email:
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


def contact_for_party(creator: User, party: Party, now: datetime) -> Contact:
    """The creator's contact for a party of a new introduction; someone new becomes one.

    Found by email address, then by LinkedIn page. Someone without an address is found by
    name too (case and accents aside): a request may name a target whose address only the
    connector knows, and logging a second request for them must not add them twice.
    """
    contacts = access.scope(Contact, creator)
    if party.email and (found := own_contact(creator, party.email)):
        return found
    linkedin = normalize_linkedin_url(party.url)
    if linkedin and (found := contacts.filter(linkedin_url=linkedin).first()):
        return found
    if not party.email and (found := contacts.filter(name_key=fold(party.name)).first()):
        return found
    url = party.url.strip()
    record = ContactRecord(
        line=0,
        full_name=party.name,
        emails=[(party.email, "")] if party.email else [],
        company=party.company.strip(),
        linkedin_url=linkedin,
        # A page that is not LinkedIn has no field of its own on a contact.
        notes=f"Their page: {url}" if url and not linkedin else "",
    )
    return create_contact(creator, record, now)


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

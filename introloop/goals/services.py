"""Goals, the brief, asks and applications: operations that change them."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from introloop.accounts.models import User
from introloop.intros.services import settings_for as intro_settings_for
from introloop.network.models import Contact

from .models import MAX_ITEMS, Application, Ask, Brief, Goal, Need, Targets, new_brief_token


class TooMany(ValueError):
    pass


def clean_items(
    values: str | Iterable[object], label: str, max_items: int = MAX_ITEMS, *, commas: bool = True
) -> list[str]:
    """A list from lines, or commas too unless `commas` is False (a company's name may hold
    one: "Acme, Inc."): trimmed, without empties or repeats (any letter case)."""
    if isinstance(values, str):
        values = (values.replace("\n", ",") if commas else values).split("," if commas else "\n")
    seen: set[str] = set()
    items: list[str] = []
    for value in values:
        item = " ".join(str(value).split())[:120]
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            items.append(item)
    if len(items) > max_items:
        raise TooMany(f"At most {max_items} {label} in one goal; this has {len(items)}.")
    return items


def targets_for(user: User) -> Targets:
    return Targets.objects.filter(user=user).first() or Targets(user=user)


@transaction.atomic
def save_goal(goal: Goal, *, needs: list[tuple[str, str]] | None = None, now: datetime) -> Goal:
    goal.updated_at = now
    goal.save()
    if needs is not None:
        start = goal.needs.count()
        Need.objects.bulk_create(
            Need(goal=goal, kind=kind, text=text, position=start + i)
            for i, (kind, text) in enumerate(needs)
        )
    return goal


def brief_for(user: User) -> Brief:
    return Brief.objects.filter(owner=user).first() or Brief(owner=user)


def _join(items: list[str], last: str = "or") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def brief_text(user: User) -> str:
    """The "what I'm looking for" brief: a few plain sentences, openly saying so."""
    goals = list(Goal.objects.filter(owner=user, active=True).prefetch_related("needs"))
    brief = brief_for(user)
    if not goals:
        return ""
    paragraphs = []
    name = user.name or user.email
    opening = f"I'm {name}, and I'm looking for my next role."
    if brief.intro_text.strip():
        opening += " " + brief.intro_text.strip()
    paragraphs.append(opening)
    for goal in goals:
        sentence = "I'm looking for"
        sentence += f" a role as {_join(goal.roles[:6])}" if goal.roles else " a new role"
        if goal.industries:
            sentence += f" in {_join(goal.industries[:5])}"
        if goal.companies:
            shown = goal.companies[:6]
            more = " and similar companies" if len(goal.companies) > 6 else ""
            sentence += f", ideally at {_join(shown, 'or')}{more}"
        if goal.locations:
            sentence += f", based in {_join(goal.locations[:4])}"
        sentence += "."
        open_needs = [n for n in goal.needs.all() if not n.done]
        wants = []
        for kind, verb in (("information", "learn"), ("advice", "get advice on"),
                           ("feedback", "get feedback on")):  # fmt: skip
            texts = [n.text.rstrip(".") for n in open_needs if n.kind == kind][:3]
            if texts:
                wants.append(f"{verb} {_join(texts, 'and')}")
        if wants:
            sentence += f" I'd especially like to {_join(wants, 'and')}."
        paragraphs.append(sentence)
    paragraphs.append(
        "If someone comes to mind whom I should talk to, I'd be grateful for an introduction, "
        "and happy to return the favour."
    )
    return "\n\n".join(paragraphs)


ABOUT_MAX = 600


def brief_about(user: User) -> tuple[str, str]:
    """Two or three lines about `user` from their brief (its opening and first goal), and the
    brief's public address if they share it: what a connector and a target read of them."""
    text = brief_text(user)
    about = "\n\n".join(text.split("\n\n")[:2]) if text else ""
    if len(about) > ABOUT_MAX:
        about = about[: ABOUT_MAX - 1].rsplit(" ", 1)[0] + "…"
    brief = Brief.objects.filter(owner=user, shared=True).first()
    url = settings.SITE_URL + reverse("goals:public_brief", args=[brief.token]) if brief else ""
    return about, url


def share_brief(user: User, shared: bool, intro_text: str | None = None) -> Brief:
    brief = brief_for(user)
    brief.shared = shared
    if intro_text is not None:
        brief.intro_text = intro_text.strip()
    brief.save()
    return brief


def new_brief_address(user: User) -> Brief:
    brief = brief_for(user)
    brief.token = new_brief_token()
    brief.save()
    return brief


def last_ask(user: User, contact: Contact) -> Ask | None:
    return (
        Ask.objects.filter(owner=user, contact=contact, direction=Ask.Direction.ASKED)
        .order_by("-on", "-id")
        .first()
    )


def cooldown_warning(
    user: User, contact: Contact, on: date, exclude: Ask | None = None
) -> str | None:
    """Asking the same person again within the cooldown warns, with the last ask's date."""
    days = intro_settings_for(user).cooldown_days
    recent = Ask.objects.filter(
        owner=user, contact=contact, direction=Ask.Direction.ASKED,
        on__gte=on - timedelta(days=days), on__lte=on,
    )  # fmt: skip
    if exclude is not None and exclude.pk:
        recent = recent.exclude(pk=exclude.pk)
    last = recent.order_by("-on").first()
    if last is None:
        return None
    return (
        f"You last asked {contact.full_name} for something on {last.on:%-d %b %Y} "
        f"({last.get_kind_display().lower()}), within your {days}-day cooldown. Consider "
        "giving them a break, or giving something back first."
    )


def save_ask(ask: Ask) -> tuple[Ask, list[str]]:
    warnings: list[str] = []
    if ask.direction == Ask.Direction.ASKED and ask.status != Ask.Status.PLANNED:
        warning = cooldown_warning(ask.owner, ask.contact, ask.on, exclude=ask)
        if warning:
            warnings.append(warning)
    if ask.direction == Ask.Direction.GIVEN:
        ask.follow_up_on = None
    ask.save()
    return ask, warnings


def followed_up(ask: Ask, on: date) -> None:
    """The seeker followed up on an ask: note it; the follow-up is no longer due."""
    ask.note = (ask.note + f"\nFollowed up on {on:%-d %b %Y}.").strip()
    ask.follow_up_on = None
    ask.save(update_fields=["note", "follow_up_on"])


def save_application(application: Application) -> Application:
    if application.status in (Application.Status.INTERVIEWING, Application.Status.OFFER):
        application.interviewed = True
    if application.intro_id or application.contact_id:
        application.source = Application.Source.REFERRAL
    application.save()
    return application


def stop_weekly_summary(user: User) -> None:
    """The one-click unsubscribe from the weekly summary's footer."""
    Targets.objects.update_or_create(user=user, defaults={"weekly_summary": False})


def add_need(goal: Goal, kind: str, text: str) -> Need:
    """A new item at the end of the goal's checklist."""
    return Need.objects.create(goal=goal, kind=kind, text=text.strip(), position=goal.needs.count())


def tick_need(need: Need, done: bool) -> Need:
    """Tick a checklist item off (done=True) or open it again."""
    need.done = done
    need.save(update_fields=["done"])
    return need


def delete_need(need: Need) -> None:
    need.delete()


def save_targets(user: User, values: dict[str, int | bool]) -> Targets:
    """Change some of the user's targets (weekly outreach, referrals, the weekly summary)."""
    targets, _ = Targets.objects.update_or_create(user=user, defaults=values)
    return targets

"""The reminder sweep: turn what is due into emails, each queued exactly once.

`collect(now)` lists candidate reminders (digests, nudges, escalations, outcomes), each with a
unique key naming its kind, recipient, item, step and due date. `sweep(now)` inserts the keys
with INSERT … ON CONFLICT DO NOTHING RETURNING and queues the emails of the keys it inserted,
in the same transaction: re-running a sweep, running it "as of" the same moment twice, or
three workers at once, queue each reminder once; a worker killed mid-batch rolls the batch back
and the next sweep does it. Work is found through indexes on due dates, so a sweep's cost
follows the number of due items, not the number of introductions.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import make_msgid
from django.db import connection, transaction
from django.urls import reverse
from django.utils.html import escape

from introloop.accounts.models import User
from introloop.intros import lifecycle
from introloop.intros.lifecycle import lower_first
from introloop.intros.models import Intro, Role, State
from introloop.intros.services import SEEKER_LINKS, make_link
from introloop.network.models import Contact
from introloop.outbox.models import Message

from .due import DueItem, due_items
from .models import EmailOptOut, NotificationSettings, Reminder

UNSUBSCRIBE_SALT = "introloop.reminders.unsubscribe"
NUDGE_EVERY = timedelta(days=2)
NUDGES_PER_STEP = 3
OUTCOME_WINDOW = timedelta(days=14)
USER_CHUNK = 1000


@dataclass
class Email:
    to: str
    subject: str
    text: str
    html: str = ""
    headers: dict = field(default_factory=dict)
    user_id: int | None = None


@dataclass
class Candidate:
    key: str
    kind: str
    recipient: str
    user_id: int | None
    intro_id: int | None
    compose: Callable[[datetime], Email]  # called only once the key is claimed


@dataclass
class Summary:
    due: int = 0
    queued: int = 0
    skipped_already_sent: int = 0
    candidates: list[Candidate] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"due": self.due, "queued": self.queued,
                "skipped_already_sent": self.skipped_already_sent}  # fmt: skip


def unsubscribe_url(recipient: str, kind: str, user_id: int | None) -> str:
    token = signing.dumps({"u": user_id, "e": recipient, "k": kind}, salt=UNSUBSCRIBE_SALT)
    return settings.SITE_URL + reverse("reminders:unsubscribe", args=[token])


def _footer(url: str, what: str) -> tuple[str, str, dict]:
    site = settings.SITE_NAME
    text = f"\n\n--\nYou get {what} from {site}. Stop them with one click: {url}\n"
    html = (f'<p style="color:#5d6b7a;font-size:13px">You get {escape(what)} from '
            f'{escape(site)}. <a href="{escape(url)}">Stop them</a>.</p>')  # fmt: skip
    headers = {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return text, html, headers


def _paragraphs_html(text: str) -> str:
    return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n"))


# --- Digests --------------------------------------------------------------------------------


def _digest(user: User, items: list[DueItem], local_now: datetime) -> Callable[[datetime], Email]:
    def compose(now: datetime) -> Email:
        today = local_now.date()
        groups = [
            ("Overdue", [i for i in items if i.overdue and i.due_on < today]),
            ("Today", [i for i in items if not (i.overdue and i.due_on < today)]),
        ]
        lines, html = [f"Good morning {user.get_short_name()},", ""], []
        for label, group in groups:
            if not group:
                continue
            lines.append(f"{label}:")
            html.append(f"<h3>{label}</h3><ul>")
            for item in group:
                link = settings.SITE_URL + item.url
                lines.append(f"- {item.title} (due {item.due_on:%a %-d %b}): {link}")
                html.append(f'<li><a href="{escape(link)}">{escape(item.title)}</a> '
                            f"<small>due {item.due_on:%a %-d %b}</small></li>")  # fmt: skip
            lines.append("")
            html.append("</ul>")
        lines.append(f"Everything in one place: {settings.SITE_URL}{reverse('today')}")
        url = unsubscribe_url(user.email, "digest", user.id)
        foot_text, foot_html, headers = _footer(url, "this daily digest")
        n = len(items)
        return Email(
            to=user.email,
            subject=f"Today: {n} follow-up{'s' * (n != 1)} ({items[0].title})",
            text="\n".join(lines) + foot_text,
            html="".join(html) + foot_html,
            headers=headers,
            user_id=user.id,
        )

    return compose


def _digest_candidates(user_ids: set[int], now: datetime) -> list[Candidate]:
    candidates = []
    ids = sorted(user_ids)
    for start in range(0, len(ids), USER_CHUNK):
        chunk = ids[start : start + USER_CHUNK]
        users = list(User.objects.filter(id__in=chunk, is_active=True))
        prefs = {s.user_id: s for s in NotificationSettings.objects.filter(user__in=chunk)}
        ready = []
        for user in users:
            pref = prefs.get(user.id) or NotificationSettings(user=user)
            local = now.astimezone(user.zone)
            if pref.digest_enabled and local.hour >= pref.digest_hour:
                ready.append(user)
        items = due_items(ready, now, days_ahead=0, drafts=False)
        for user in ready:
            if not items[user.id]:
                continue  # nothing due: no digest
            local = now.astimezone(user.zone)
            candidates.append(
                Candidate(
                    key=f"digest:{user.email}:{local.date().isoformat()}",
                    kind="digest",
                    recipient=user.email,
                    user_id=user.id,
                    intro_id=None,
                    compose=_digest(user, items[user.id], local),
                )
            )
    return candidates


# --- Nudges to people without accounts ------------------------------------------------------


def _nudge(intro: Intro, step: lifecycle.NextStep, n: int) -> Callable[[datetime], Email]:
    def compose(now: datetime) -> Email:
        name, email = intro.party(step.owner)
        if step.owner == Role.TARGET:
            link = make_link(intro, Role.TARGET, ["accepted", "declined"], now)
            body = (f"Hello {name},\n\n{intro.connector_name} asked whether you would be happy to "
                    f"talk to {intro.seeker_name}: {intro.purpose}\n\nOne click answers, yes or "
                    f"no:\n{link}\n\nNo answer needed beyond that; thank you.")  # fmt: skip
            subject = f"Reminder: would you be happy to meet {intro.seeker_name}?"
        else:
            choices = SEEKER_LINKS.get(intro.state, [])
            links = "\n".join(f"- {label}: {make_link(intro, Role.SEEKER, [action], now)}"
                              for action, label in choices)  # fmt: skip
            body = (f"Hello {name},\n\nA friendly reminder about your introduction to "
                    f"{intro.target_name} through {intro.connector_name}. Next: "
                    f"{lower_first(step.title(intro))} (due {step.due_at:%-d %b}).\n\nWhen it's "
                    f"done, one click lets {intro.connector_name} know:\n{links}")  # fmt: skip
            subject = f"Reminder: {lower_first(step.title(intro))}"
        url = unsubscribe_url(email, "nudge", None)
        foot_text, foot_html, headers = _footer(url, "reminders about this introduction")
        return Email(to=email, subject=subject, text=body + foot_text,
                     html=_paragraphs_html(body) + foot_html, headers=headers)  # fmt: skip

    return compose


def _nudge_candidates(intros: list[Intro], now: datetime) -> list[Candidate]:
    wanted = []
    for intro in intros:
        for step in lifecycle.next_steps(intro):
            if step.owner not in (Role.SEEKER, Role.TARGET) or step.due_at > now:
                continue
            if getattr(intro, f"{step.owner}_user_id") is not None:
                continue  # registered people get their digest instead
            if step.owner == Role.SEEKER and not SEEKER_LINKS.get(intro.state):
                continue
            wanted.append((intro, step))
    if not wanted:
        return []
    opted_out = _opted_out({intro.party(step.owner)[1] for intro, step in wanted}, "nudge")
    sent = {row["key_prefix"]: row for row in _nudge_history([intro.id for intro, _ in wanted])}
    candidates = []
    for intro, step in wanted:
        email = intro.party(step.owner)[1]
        if not email or email in opted_out:
            continue
        prefix = f"nudge:{email}:intro:{intro.id}:{step.step}:{step.due_at.date().isoformat()}"
        history = sent.get(prefix)
        count = history["n"] if history else 0
        if count >= NUDGES_PER_STEP or (history and now - history["last"] < NUDGE_EVERY):
            continue
        candidates.append(
            Candidate(
                key=f"{prefix}:{count + 1}",
                kind="nudge",
                recipient=email,
                user_id=None,
                intro_id=intro.id,
                compose=_nudge(intro, step, count + 1),
            )
        )
    return candidates


def _nudge_history(intro_ids: list[int]) -> list[dict]:
    """Nudges already queued per (recipient, item, step, due date): how many, the last when."""
    rows = Reminder.objects.filter(intro_id__in=intro_ids, kind="nudge").values_list(
        "key", "created_at"
    )
    grouped: dict[str, dict] = {}
    for key, created_at in rows:
        prefix = key.rsplit(":", 1)[0]
        entry = grouped.setdefault(prefix, {"key_prefix": prefix, "n": 0, "last": created_at})
        entry["n"] += 1
        entry["last"] = max(entry["last"], created_at)
    return list(grouped.values())


# --- Escalations and outcomes to connectors --------------------------------------------------


def _escalation(intro: Intro, step: lifecycle.NextStep, days_late: int):
    def compose(now: datetime) -> Email:
        what = "write to" if step.step == "reach_out" else "tell you what came of"
        note = (f"Hi {intro.seeker_name.split()[0]}, just checking in: how did it go with "
                f"{intro.target_name.split()[0]}? If you haven't written yet, a short note this "
                "week would be perfect. Happy to help with wording.")  # fmt: skip
        body = (f"Hello {intro.connector_name.split()[0]},\n\nA heads-up before anyone is "
                f"embarrassed: {intro.seeker_name} was due to {what} {intro.target_name} on "
                f"{step.due_at:%-d %b} and is {days_late} days late. The introduction is "
                f"{intro.get_state_display().lower()}.\n\nIf you'd like to nudge them, "
                f"something like this could do:\n\n{note}")  # fmt: skip
        url = unsubscribe_url(intro.connector_email, "escalation", intro.connector_user_id)
        foot_text, foot_html, headers = _footer(url, "heads-ups about introductions you made")
        return Email(
            to=intro.connector_email,
            subject=f"{intro.seeker_name} is {days_late} days late with {intro.target_name}",
            text=body + foot_text, html=_paragraphs_html(body) + foot_html, headers=headers,
            user_id=intro.connector_user_id,
        )  # fmt: skip

    return compose


def _outcome(intro: Intro):
    def compose(now: datetime) -> Email:
        body = (f"Hello {intro.connector_name.split()[0]},\n\n{intro.seeker_name} closed the loop "
                f"on your introduction to {intro.target_name}:\n\n{intro.outcome}\n\nThank you "
                "for making it.")  # fmt: skip
        url = unsubscribe_url(intro.connector_email, "outcome", intro.connector_user_id)
        foot_text, foot_html, headers = _footer(url, "outcomes of introductions you made")
        return Email(
            to=intro.connector_email,
            subject=f"What came of introducing {intro.seeker_name} to {intro.target_name}",
            text=body + foot_text, html=_paragraphs_html(body) + foot_html, headers=headers,
            user_id=intro.connector_user_id,
        )  # fmt: skip

    return compose


def _opted_out(emails: set[str], kind: str) -> set[str]:
    rows = EmailOptOut.objects.filter(email__in=emails, kind=kind)
    return set(rows.values_list("email", flat=True))


def _connector_prefs(intros: list[Intro]) -> dict[int, NotificationSettings]:
    ids = {i.connector_user_id for i in intros if i.connector_user_id}
    return {s.user_id: s for s in NotificationSettings.objects.filter(user__in=ids)}


def _escalation_candidates(intros: list[Intro], now: datetime) -> list[Candidate]:
    late = [
        i for i in intros
        if i.next_owner == Role.SEEKER and i.next_step in ("reach_out", "close_loop")
        and i.connector_email and i.connector_email != i.seeker_email
    ]  # fmt: skip
    prefs = _connector_prefs(late)
    opted_out = _opted_out({i.connector_email for i in late}, "escalation")
    candidates = []
    for intro in late:
        pref = prefs.get(intro.connector_user_id) or NotificationSettings()
        if not pref.escalations_enabled or intro.connector_email in opted_out:
            continue
        step = lifecycle.next_steps(intro)[0]
        if now - step.due_at < timedelta(days=pref.escalation_grace_days):
            continue
        days_late = (now - step.due_at).days
        candidates.append(
            Candidate(
                key=(
                    f"escalation:{intro.connector_email}:intro:{intro.id}:{step.step}:"
                    f"{step.due_at.date().isoformat()}"
                ),
                kind="escalation",
                recipient=intro.connector_email,
                user_id=intro.connector_user_id,
                intro_id=intro.id,
                compose=_escalation(intro, step, days_late),
            )
        )
    return candidates


def _outcome_candidates(now: datetime) -> list[Candidate]:
    closed = list(
        Intro.objects.filter(
            state=State.LOOP_CLOSED, closed_at__gte=now - OUTCOME_WINDOW, closed_at__lte=now
        ).exclude(connector_email="")
    )
    closed = [i for i in closed if i.connector_email != i.seeker_email]
    prefs = _connector_prefs(closed)
    opted_out = _opted_out({i.connector_email for i in closed}, "outcome")
    candidates = []
    for intro in closed:
        pref = prefs.get(intro.connector_user_id) or NotificationSettings()
        if not pref.outcomes_enabled or intro.connector_email in opted_out:
            continue
        candidates.append(
            Candidate(
                key=(
                    f"outcome:{intro.connector_email}:intro:{intro.id}:loop_closed:"
                    f"{intro.closed_at.date().isoformat()}"
                ),
                kind="outcome",
                recipient=intro.connector_email,
                user_id=intro.connector_user_id,
                intro_id=intro.id,
                compose=_outcome(intro),
            )
        )
    return candidates


# --- The sweep ------------------------------------------------------------------------------


def collect(now: datetime) -> tuple[int, list[Candidate]]:
    """How many items are due as of `now`, and every reminder that should exist for them."""
    horizon = now + timedelta(days=1)  # anyone's "today" ends within a day from now
    intros = list(Intro.objects.filter(next_due_at__lte=horizon).order_by("id"))
    due = sum(1 for i in intros for s in lifecycle.next_steps(i) if s.due_at <= now)
    owners = set()
    for intro in intros:
        for step in lifecycle.next_steps(intro):
            user_id = getattr(intro, f"{step.owner}_user_id")
            if user_id:
                owners.add(user_id)
    latest_day = horizon.date() + timedelta(days=1)
    owners.update(
        Contact.objects.filter(reconnect_due_on__lte=latest_day)
        .values_list("owner_id", flat=True)
        .distinct()
    )
    due += Contact.objects.filter(reconnect_due_on__lte=now.date()).count()
    candidates = _digest_candidates(owners, now)
    candidates += _nudge_candidates(intros, now)
    candidates += _escalation_candidates(intros, now)
    candidates += _outcome_candidates(now)
    return due, candidates


def _claim(batch: list[Candidate], now: datetime) -> set[str]:
    """Insert the batch's keys; return the ones this call inserted (the others exist)."""
    table = Reminder._meta.db_table
    key = connection.ops.quote_name("key")
    stamp = connection.ops.adapt_datetimefield_value(now)
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
    params = []
    for c in batch:
        params += [c.key, c.kind, c.recipient, c.user_id, c.intro_id, stamp]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, kind, recipient, user_id, intro_id, created_at) "  # noqa: S608
            f"VALUES {rows} ON CONFLICT ({key}) DO NOTHING RETURNING {key}",
            params,
        )
        return {row[0] for row in cursor.fetchall()}


def _queue(emails: list[Email], now: datetime) -> None:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "introloop.local"
    Message.objects.bulk_create(
        Message(
            user_id=e.user_id, from_email=settings.DEFAULT_FROM_EMAIL, to=[e.to],
            subject=" ".join(e.subject.split()), body_text=e.text, body_html=e.html,
            headers=e.headers, message_id=make_msgid(domain=domain), created_at=now,
            next_attempt_at=now,
        )
        for e in emails
    )  # fmt: skip


def sweep(
    now: datetime,
    *,
    dry_run: bool = False,
    batch_size: int = 500,
    on_batch: Callable[[int], None] | None = None,
) -> Summary:
    """One sweep as of `now`: queue every reminder that is due and not queued yet."""
    due, candidates = collect(now)
    summary = Summary(due=due, candidates=candidates)
    if dry_run:
        existing = set(
            Reminder.objects.filter(key__in=[c.key for c in candidates]).values_list(
                "key", flat=True
            )
        )
        summary.queued = len([c for c in candidates if c.key not in existing])
        summary.skipped_already_sent = len(candidates) - summary.queued
        return summary
    for start in range(0, len(candidates), batch_size):
        batch = candidates[start : start + batch_size]
        with transaction.atomic():
            claimed = _claim(batch, now)
            _queue([c.compose(now) for c in batch if c.key in claimed], now)
            if on_batch:
                on_batch(start // batch_size)  # tests pause here to kill a worker mid-batch
        summary.queued += len(claimed)
        summary.skipped_already_sent += len(batch) - len(claimed)
    return summary


def summary_json(summary: Summary) -> str:
    return json.dumps(summary.as_dict())

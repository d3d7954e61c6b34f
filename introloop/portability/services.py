"""Export all of a user's data, and delete all of it.

This app sits above every domain app: each new kind of personal data adds its section to
`export_user_data` and is removed by `delete_user` (mostly through foreign-key cascades).
A test checks that every model pointing at a user is covered.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db import transaction

from introloop import __version__, access
from introloop.accounts.models import ApiToken, User
from introloop.capture.models import CapturedMessage
from introloop.goals.models import Application, Ask, Goal
from introloop.goals.services import brief_for, targets_for
from introloop.intros.models import Intro, MessageTemplate
from introloop.intros.services import hand_over_introductions, settings_for
from introloop.network.exports import contacts_json
from introloop.network.models import ImportRun, Interaction
from introloop.outbox.models import Message
from introloop.outbox.services import forget_person
from introloop.reminders.models import DigestLinkUse, Reminder, Snooze
from introloop.reminders.services import settings_for as reminder_settings_for

# One object of the export, as JSON will hold it.
Json = dict[str, Any]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _account(user: User) -> Json:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "time_zone": user.time_zone,
        "email_verified_at": _iso(user.email_verified_at),
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
    }


def _api_tokens(user: User) -> list[Json]:
    return [
        {
            "id": token.id,
            "name": token.name,
            "prefix": token.prefix,
            "created_at": _iso(token.created_at),
            "last_used_at": _iso(token.last_used_at),
        }
        for token in access.scope(ApiToken, user)
    ]


def _outbox_messages(user: User) -> list[Json]:
    return [
        {
            "id": message.id,
            "to": message.to,
            "subject": message.subject,
            "body_text": message.body_text,
            "status": message.status,
            "created_at": _iso(message.created_at),
            "sent_at": _iso(message.sent_at),
        }
        for message in access.scope(Message, user).order_by("created_at", "id")
    ]


def _contacts(user: User) -> list[Json]:
    contacts: list[Json] = contacts_json(user)["contacts"]
    return contacts


def _interactions(user: User) -> list[Json]:
    interactions = access.scope(Interaction, user).prefetch_related("contacts")
    return [
        {
            "id": i.id,
            "kind": i.kind,
            "occurred_on": i.occurred_on.isoformat(),
            "notes": i.notes,
            "contact_uids": [c.uid for c in i.contacts.all()],
        }
        for i in interactions.order_by("occurred_on", "id")
    ]


def _captured_mail(user: User) -> list[Json]:
    """What capture read of each message and did with it; not the raw message, nor the
    private address's token (a secret, like an API token)."""
    rows = access.scope(CapturedMessage, user).defer("raw").order_by("received_at", "id")
    return [
        {
            "message_id": row.message_id,
            "subject": row.subject,
            "from_name": row.from_name,
            "from_email": row.from_email,
            "sent_at": _iso(row.sent_at),
            "received_at": _iso(row.received_at),
            "source": row.source,
            "participants": row.participants,
            "new_text": row.new_text,
            "action": row.action,
            "reason": row.reason,
            "intro_id": row.intro_id,
            "event": row.event,
            "resolution": row.resolution,
        }
        for row in rows
    ]


def _imports(user: User) -> list[Json]:
    return [
        {
            "filename": run.filename,
            "format": run.format,
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "rejected": run.rejected,
            "finished_at": _iso(run.finished_at),
        }
        for run in access.scope(ImportRun, user).order_by("finished_at", "id")
    ]


def _introductions(user: User) -> list[Json]:
    """The introductions the user takes part in, as they may see them (a target's address
    only once they agreed, a declined target not at all, when the user is the seeker)."""
    intros = access.scope(Intro, user).prefetch_related("events").order_by("created_at", "id")
    exported = []
    for intro in intros:
        roles = access.roles_of(intro, user)
        target = access.target_shown(intro, roles)
        exported.append(
            {
                "id": intro.id,
                "your_roles": sorted(roles),
                "connector": {"name": intro.connector_name, "email": intro.connector_email},
                "seeker": {"name": intro.seeker_name, "email": intro.seeker_email},
                "target": {"name": target.name, "email": target.email},
                "purpose": intro.purpose,
                "double_opt_in": intro.double_opt_in,
                "state": intro.state,
                "outcome": intro.outcome,
                "parent_id": intro.parent_id,
                "created_at": _iso(intro.created_at),
                "history": [
                    {
                        "type": e.type,
                        "at": _iso(e.at),
                        "actor_role": e.actor_role,
                        "note": e.note,
                        "undone_at": _iso(e.undone_at),
                    }
                    for e in intro.events.all()
                ],
            }
        )
    return exported


def _intro_settings(user: User) -> Json:
    return {
        "rules": settings_for(user).rules(),
        "cooldown_days": settings_for(user).cooldown_days,
        "message_templates": {
            t.key: {"subject": t.subject, "body": t.body}
            for t in access.scope(MessageTemplate, user)
        },
    }


def _notifications(user: User) -> Json:
    prefs = reminder_settings_for(user)
    return {
        "digest_enabled": prefs.digest_enabled,
        "digest_hour": prefs.digest_hour,
        "escalations_enabled": prefs.escalations_enabled,
        "escalation_grace_days": prefs.escalation_grace_days,
        "outcomes_enabled": prefs.outcomes_enabled,
        "snoozed": [{"item": s.key, "until": _iso(s.until)} for s in access.scope(Snooze, user)],
        "reminders_sent": [
            {"kind": r.kind, "key": r.key, "at": _iso(r.created_at)}
            for r in access.scope(Reminder, user).order_by("created_at", "id")
        ],
        "digest_links_followed": [
            {"item": u.key, "action": u.action, "at": _iso(u.used_at)}
            for u in access.scope(DigestLinkUse, user).order_by("used_at", "id")
        ],
    }


def _goals(user: User) -> Json:
    brief = brief_for(user)
    targets = targets_for(user)
    return {
        "goals": [
            {
                "title": g.title, "roles": g.roles, "industries": g.industries,
                "companies": g.companies, "locations": g.locations, "active": g.active,
                "also_counts_as": g.also_counts_as,
                "needs": [{"kind": n.kind, "text": n.text, "done": n.done} for n in g.needs.all()],
            }
            for g in access.scope(Goal, user).prefetch_related("needs")
        ],
        "brief": {"shared": brief.shared, "intro_text": brief.intro_text},
        "targets": {"weekly_outreach": targets.weekly_outreach, "referrals": targets.referrals,
                    "weekly_summary": targets.weekly_summary},
        "asks": [
            {"contact_uid": a.contact.uid, "contact": a.contact.full_name, "kind": a.kind,
             "direction": a.direction, "status": a.status, "on": _iso_day(a.on),
             "follow_up_on": _iso_day(a.follow_up_on), "note": a.note, "result": a.result}
            for a in access.scope(Ask, user).select_related("contact").order_by("on", "id")
        ],
        "applications": [
            {"company": a.company, "role": a.role, "applied_on": _iso_day(a.applied_on),
             "source": a.source, "status": a.status, "interviewed": a.interviewed,
             "notes": a.notes}
            for a in access.scope(Application, user).order_by("applied_on", "id")
        ],
    }  # fmt: skip


def _iso_day(day: date | None) -> str | None:
    return day.isoformat() if day else None


# Section name -> function returning that section for a user. One entry per kind of data.
SECTIONS: dict[str, Callable[[User], Json | list[Json]]] = {
    "account": _account,
    "api_tokens": _api_tokens,
    "emails": _outbox_messages,
    "contacts": _contacts,
    "interactions": _interactions,
    "imports": _imports,
    "introductions": _introductions,
    "introduction_settings": _intro_settings,
    "notifications": _notifications,
    "goals": _goals,
    "captured_mail": _captured_mail,
}

# Models holding a user's rows, and the export section that carries them. Rows of models
# listed here are removed by cascade when the user is deleted.
COVERED_MODELS = {
    "accounts.User": "account",
    "accounts.ApiToken": "api_tokens",
    "outbox.Message": "emails",
    "network.Contact": "contacts",
    "network.ContactEmail": "contacts",
    "network.Tag": "contacts",
    "network.Interaction": "interactions",
    "network.ImportRun": "imports",
    # A file waiting between an import's preview and its commit, deleted within a day.
    "network.ImportUpload": "imports",
    # A large import's file while the worker runs it; a finished one is an ImportRun.
    "network.ImportJob": "imports",
    # "Not the same person" choices: they only steer duplicate suggestions.
    "network.NotDuplicate": "contacts",
    "intros.Intro": "introductions",
    "intros.IntroEvent": "introductions",
    "intros.IntroSettings": "introduction_settings",
    "intros.MessageTemplate": "introduction_settings",
    "reminders.NotificationSettings": "notifications",
    "reminders.Snooze": "notifications",
    "reminders.Reminder": "notifications",
    "reminders.DigestLinkUse": "notifications",
    "goals.Goal": "goals",
    "goals.Brief": "goals",
    "goals.Ask": "goals",
    "goals.Application": "goals",
    "goals.Targets": "goals",
    "capture.CapturedMessage": "captured_mail",
    # The private capture address: its token is a secret, like an API token's.
    "capture.CaptureAddress": "captured_mail",
}


def export_user_data(user: User, now: datetime) -> Json:
    """Everything Introloop keeps about `user`, as one JSON-serialisable dict."""
    data: Json = {
        "format": "introloop-export",
        "format_version": 1,
        "introloop_version": __version__,
        "exported_at": now.isoformat(),
    }
    with transaction.atomic():  # one consistent snapshot
        for name, section in SECTIONS.items():
            data[name] = section(user)
    return data


@transaction.atomic
def delete_user(user: User) -> None:
    """Delete the account and, through cascades, every row that belongs to it.

    Introductions other registered people are party to stay in their accounts, with this
    person's name and address removed; the others go with the account. The outbox forgets
    every message to or about the address (sent ones stay as counts).
    """
    hand_over_introductions(user)
    forget_person(user.email, user.name)
    User.objects.filter(pk=user.pk).delete()

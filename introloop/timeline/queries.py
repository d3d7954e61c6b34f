"""A contact's timeline: everything that happened with them, from every app that records it.

This app sits above contacts, introductions and goals, so that it can read all three by
importing them; the contact page is where they meet.
"""

from introloop.goals.queries import contact_timeline as ask_timeline
from introloop.intros.queries import contact_timeline as intro_timeline
from introloop.network.models import Contact
from introloop.network.queries import TimelineEntry, interaction_timeline


def timeline(contact: Contact) -> list[TimelineEntry]:
    """Interactions, introductions and asks with this contact, newest first."""
    entries = interaction_timeline(contact) + intro_timeline(contact) + ask_timeline(contact)
    return sorted(entries, key=lambda e: (e.on, e.kind, e.obj.pk), reverse=True)

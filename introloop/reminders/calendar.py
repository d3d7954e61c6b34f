"""The private calendar feed: each due follow-up as an all-day event (RFC 5545, via icalendar)."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar, Event

from introloop import __version__
from introloop.accounts.models import User

from .due import due_items

FEED_DAYS_AHEAD = 60


def feed(user: User, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//Introloop//Introloop {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{settings.SITE_NAME}: follow-ups")
    calendar.add("x-wr-timezone", user.time_zone)
    host = urlsplit(settings.SITE_URL).hostname
    for item in due_items([user], now, days_ahead=FEED_DAYS_AHEAD, snoozed="move")[user.id]:
        event = Event()
        event.add("uid", f"{item.key}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", item.due_on)
        event.add("dtend", item.due_on + timedelta(days=1))
        event.add("summary", item.title)
        link = settings.SITE_URL + item.url
        description = link
        if item.draft:
            description = f"{item.draft.body}\n\n{link}"
        event.add("description", description)
        event.add("url", link)
        event.add("transp", "TRANSPARENT")  # a follow-up does not make anyone busy
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical

"""The API's own input types: what every endpoint accepts for a moment, a day or an id is
decided here once, so that no input can reach the database or the date arithmetic as a 500.

- A moment without a time zone (`2026-11-23T09:00`) is read in the requesting account's time
  zone (Settings → Profile), as the pages do; one with an offset is taken as given.
- Moments and days must fall between the years 1900 and 2200: due dates add weeks to them,
  and year 9999 overflows.
"""

from datetime import date, datetime
from typing import Annotated

from django.utils import timezone
from pydantic import AfterValidator

FIRST_YEAR, LAST_YEAR = 1900, 2200


def _in_range(value: date) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must be between the years {FIRST_YEAR} and {LAST_YEAR}")


def _moment(value: datetime) -> datetime:
    _in_range(value)
    if timezone.is_naive(value):
        # The account's zone, activated by the API's authentication for this request.
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def _day(value: date) -> date:
    _in_range(value)
    return value


Moment = Annotated[datetime, AfterValidator(_moment)]
Day = Annotated[date, AfterValidator(_day)]

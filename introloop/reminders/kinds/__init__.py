"""The kinds of reminder the sweep sends, one module each.

Each module holds what makes its reminders due (`collect(sweep) -> [Candidate]`), the email
it composes (its templates live under templates/email/reminders/), its `LABEL` for the
unsubscribe page, and how an account turns it off: a NotificationSettings field (`SETTING`),
a function (`turn_off(user)`), or else by address (EmailOptOut), as people without an account
do. An optional `claimed(candidates, now)` runs in the transaction that queued them.

Where do I add a new kind of reminder? A module here, listed in KINDS.
"""

from types import ModuleType

from . import checkin, connector_request, digest, escalation, nudge, outcome, weekly

KINDS: dict[str, ModuleType] = {
    kind.KIND: kind
    for kind in (connector_request, digest, nudge, escalation, outcome, checkin, weekly)
}

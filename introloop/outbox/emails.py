"""Every email Introloop sends, in one index, and how each is rendered from its templates.

Each entry names three templates under `templates/email/`: `<name>.subject.txt`,
`<name>.txt` and `<name>.html`, the last being the body of the HTML part, which `_layout.html`
wraps. Emails about which the recipient can say "no more" end with `_footer.txt` and
`_footer.html`. Emails that may go to someone without an account say so (`third_party`): they
end with `_notice.txt` and `_notice.html`, a line per such recipient saying why it came and
who holds their address, with the link that stops all introduction emails to it (`stops.py`);
their context must have `notices` (an empty list when every recipient has an account). Only
the HTML part is escaped.

They are Jinja2 templates, not Django's: the reminder sweep renders about 10,000 emails a
minute at scale, and Jinja2 compiles a template to Python (57 µs for a nudge's text and HTML
parts here, against 284 µs with Django's engine). Undefined names raise, so a misspelt
variable fails the tests instead of sending an email with a hole in it.

Where do I add a new email? A line here, its three templates, and a call to
`outbox.services.queue_email` (or a reminder kind, for the sweep).
"""

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup, escape

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "email"


@dataclass(frozen=True)
class EmailKind:
    to: str  # who receives it
    when: str  # what sends it
    # It may go to someone without an account: it says why, with the stop link (`notices`).
    third_party: bool = False
    # Held back from addresses on the stop list; only an account's own emails are not.
    stoppable: bool = True


EMAILS: dict[str, EmailKind] = {
    "accounts/verify": EmailKind(
        "a new (or changed) account address", "sign-up, a new address", stoppable=False
    ),
    "accounts/password_reset": EmailKind(
        "an account's address", "a password reset request", stoppable=False
    ),
    "outbox/confirm_stop": EmailKind(
        "someone who asked, from an email others received too, to stop introduction emails",
        "the stop page: the link that stops, to their own address, at most once a day",
    ),
    "intros/opt_in_question": EmailKind(
        "the target, from the connector",
        "the connector has the app ask the target first",
        third_party=True,
    ),
    "intros/introduction": EmailKind(
        "the seeker and the target, the connector in Cc",
        "the connector has the app introduce",
        third_party=True,
    ),
    "intros/connector_request": EmailKind(
        "the connector, from the seeker",
        "a seeker asks for an introduction: at once",
        third_party=True,
    ),
    "intros/target_answered": EmailKind(
        "the connector", "the target answered their question: a link to introduce them"
    ),
    "intros/request_passed": EmailKind("the seeker", "the connector passes on their request"),
    "intros/seeker_step": EmailKind(
        "a seeker without an account",
        "they were introduced: their next step, with links",
        third_party=True,
    ),
    "reminders/digest": EmailKind("a user with something due", "the sweep, at their hour"),
    "reminders/nudge_target": EmailKind(
        "a target without an account who has not answered",
        "the sweep, every 2 days, 3 times",
        third_party=True,
    ),
    "reminders/nudge_seeker": EmailKind(
        "a seeker without an account who is late",
        "the sweep, every 2 days, 3 times",
        third_party=True,
    ),
    "reminders/nudge_connector": EmailKind(
        "a connector without an account who has not answered a seeker's request",
        "the sweep, every 2 days, 3 times",
        third_party=True,
    ),
    "reminders/escalation": EmailKind(
        "the connector",
        "the sweep, when the seeker is days late (a heads-up)",
        third_party=True,
    ),
    "reminders/outcome": EmailKind(
        "the connector", "the sweep, once the seeker closed the loop", third_party=True
    ),
    "reminders/checkin": EmailKind(
        "the target",
        "the sweep, a week after the introduction: did they get in touch?",
        third_party=True,
    ),
    "reminders/weekly": EmailKind("a user with an active goal", "the sweep, on Monday"),
}


_NO_NOTICE = EmailKind("", "")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def paragraphs(text: str) -> Markup:
    """Plain text as HTML paragraphs, line breaks kept: for words people wrote themselves."""
    html = "".join(f"<p>{escape(p)}</p>".replace("\n", "<br>") for p in text.split("\n\n"))
    return Markup(html)  # noqa: S704 - every piece of `text` was escaped above


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,  # the text parts turn it off (see _email_template)
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["paragraphs"] = paragraphs
    # Email templates use none of Jinja2's global functions (range, lipsum…); without them,
    # each render skips copying them into its context.
    env.globals.clear()
    return env


PART = "\x1e"  # between the parts of a rendered email (the ASCII record separator)


def _source(name: str) -> str:
    path = TEMPLATE_DIR / name
    return path.read_text(encoding="utf-8")


@functools.cache
def _email_template(name: str, footer: bool) -> Template:
    """The email's three templates (and the layout, and the footers) as one template.

    Rendering it once costs half as much as rendering each part on its own: the sweep
    renders thousands of emails at a time. Maintainers edit the parts' own files.
    """
    if name not in EMAILS:
        raise KeyError(f"No email {name!r} in outbox.emails.EMAILS")
    notice = EMAILS[name].third_party
    text = (
        _source(f"{name}.txt")
        + (_source("_footer.txt") if footer else "")
        # The notice's "--" only when no footer above drew it.
        + (f"{{% set footer_above = {footer} %}}" + _source("_notice.txt") if notice else "")
    )
    head, rest = _source("_layout.html").split("{{ body }}")
    middle, tail = rest.split("{{ footer }}")
    footer_html = _source("_footer.html").rstrip("\n") if footer else ""
    footer_html += _source("_notice.html").rstrip("\n") if notice else ""
    html = head + _source(f"{name}.html") + middle + footer_html
    source = (
        "{% autoescape false %}" + _source(f"{name}.subject.txt") + "{% endautoescape %}" + PART
        + "{% autoescape false %}" + text + "{% endautoescape %}" + PART
        + html + tail
    )  # fmt: skip
    return environment().from_string(source)


def render(name: str, context: dict[str, Any], *, footer: bool = False) -> Rendered:
    """The subject, text and HTML of the email `name` (a key of EMAILS) with `context`.

    With `footer`, both parts end with why the email came and the one-click stop (the
    context then has `what` and `unsubscribe_url`). Give items as objects with attributes
    (dataclasses, named tuples), not dicts: Jinja2 looks an attribute up before a key, and
    the failed lookup doubles the rendering time.

    An email to people without an account (`third_party` in EMAILS) needs `notices`: one
    `stops.Notice` per such recipient (`intros.notices.notices_for` writes them).
    """
    if EMAILS.get(name, _NO_NOTICE).third_party and "notices" not in context:
        raise KeyError(
            f"{name} may go to someone without an account: give its context `notices` (why "
            "it came, who holds their address, the stop link; [] when all have accounts)"
        )
    template = _email_template(name, footer)
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    rendered = "".join(template.root_render_func(template.new_context(context, shared=True)))
    subject, text, html = rendered.split(PART)
    return Rendered(subject=" ".join(subject.split()), text=text, html=html)

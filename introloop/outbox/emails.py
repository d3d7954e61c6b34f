"""Every email Introloop sends, in one index, and how each is rendered from its templates.

Each entry names three templates under `templates/email/`: `<name>.subject.txt`,
`<name>.txt` and `<name>.html`, the last being the body of the HTML part, which `_layout.html`
wraps. Emails about which the recipient can say "no more" end with `_footer.txt` and
`_footer.html`. They are Jinja2 templates, not Django's: the reminder sweep
renders about 10,000 emails a minute at scale, and Jinja2 compiles a template to Python (57 µs
for a nudge's text and HTML parts here, against 284 µs with Django's engine). Undefined names
raise, so a misspelt variable fails the tests instead of sending an email with a hole in it.

Where do I add a new email? A line here, its three templates, and a call to
`outbox.services.queue_email` (or a reminder kind, for the sweep).
"""

import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
from markupsafe import Markup, escape

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "email"


@dataclass(frozen=True)
class EmailKind:
    to: str  # who receives it
    when: str  # what sends it


EMAILS: dict[str, EmailKind] = {
    "accounts/verify": EmailKind("a new (or changed) account address", "sign-up, a new address"),
    "accounts/password_reset": EmailKind("an account's address", "a password reset request"),
    "intros/opt_in_question": EmailKind(
        "the target, from the connector", "the connector has the app ask the target first"
    ),
    "intros/introduction": EmailKind(
        "the seeker and the target, the connector in Cc", "the connector has the app introduce"
    ),
    "intros/seeker_step": EmailKind(
        "a seeker without an account", "they were introduced: their next step, with links"
    ),
    "reminders/digest": EmailKind("a user with something due", "the sweep, at their hour"),
    "reminders/nudge_target": EmailKind(
        "a target without an account who has not answered", "the sweep, every 2 days, 3 times"
    ),
    "reminders/nudge_seeker": EmailKind(
        "a seeker without an account who is late", "the sweep, every 2 days, 3 times"
    ),
    "reminders/escalation": EmailKind(
        "the connector", "the sweep, when the seeker is days late (a heads-up)"
    ),
    "reminders/outcome": EmailKind("the connector", "the sweep, once the seeker closed the loop"),
    "reminders/checkin": EmailKind(
        "the target", "the sweep, a week after the introduction: did they get in touch?"
    ),
    "reminders/weekly": EmailKind("a user with an active goal", "the sweep, on Monday"),
}


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
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["paragraphs"] = paragraphs
    # Email templates use none of Jinja2's global functions (range, lipsum…); without them,
    # each render skips copying them into its context, a third of its cost in the sweep.
    env.globals.clear()
    return env


def _render(template: Template, context: dict) -> str:
    """Template.render() with `context` shared rather than copied (it is not changed)."""
    return "".join(template.root_render_func(template.new_context(context, shared=True)))


@functools.cache
def _template(name: str) -> Template:
    return environment().get_template(name)


def _templates(name: str) -> tuple[Template, Template, Template]:
    if name not in EMAILS:
        raise KeyError(f"No email {name!r} in outbox.emails.EMAILS")
    return _template(f"{name}.subject.txt"), _template(f"{name}.txt"), _template(f"{name}.html")


@functools.cache
def _layout(site_name: str, site_url: str) -> tuple[str, str, str]:
    """The HTML layout around the body and the footer, rendered once: (head, middle, tail).

    Rendering it around each of the sweep's emails would cost more than the emails do.
    """
    context = {"site_name": site_name, "site_url": site_url, "body": "\0", "footer": "\0"}
    head, middle, tail = _template("_layout.html").render(context).split("\0")
    return head, middle, tail


def render(name: str, context: dict, *, footer: bool = False) -> Rendered:
    """The subject, text and HTML of the email `name` (a key of EMAILS) with `context`.

    With `footer`, both parts end with why the email came and the one-click stop (the
    context then has `what` and `unsubscribe_url`). Give items as objects with attributes
    (dataclasses, named tuples), not dicts: Jinja2 looks an attribute up before a key, and
    the failed lookup doubles the rendering time.
    """
    subject, text, html = _templates(name)
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    body_text, footer_html = _render(text, context), ""
    if footer:
        body_text += _render(_template("_footer.txt"), context)
        footer_html = _render(_template("_footer.html"), context)
    head, middle, tail = _layout(settings.SITE_NAME, settings.SITE_URL)
    return Rendered(
        subject=" ".join(_render(subject, context).split()),
        text=body_text,
        html=head + _render(html, context) + middle + footer_html + tail,
    )

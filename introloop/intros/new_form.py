"""The form that logs a new introduction, and the links that start it prefilled."""

from collections.abc import Mapping
from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from introloop import access
from introloop.accounts.models import User
from introloop.network.models import Contact

from .lifecycle import STARTS
from .services import NewIntro, Party

ROLE_CHOICES = [
    ("seeker", "I asked for it (I'm the seeker)"),
    ("connector", "I'm making it (I'm the connector)"),
]
START_CHOICES = [
    ("requested", "Just asked for: nothing has happened yet"),
    ("introduced", "Already introduced"),
    ("met", "We have already met"),
]
# What the form says as "Your part" and "Where it stands" change (autocomplete.js reads these;
# without JavaScript the words above show, and fit both parts).
ROLE_WORDS = {
    "seeker": {
        "start": dict(START_CHOICES),
        "target_email": {
            "requested": "Leave it empty if you don't know it: the connector supplies it.",
            "other": "Needed once you are introduced: your reminders and drafts write to it.",
        },
    },
    "connector": {
        "start": {
            "requested": "Not made yet: I will introduce them",
            "introduced": "I already introduced them",
            "met": "They have already met",
        },
        "target_email": {
            "requested": "Needed: the introduction (or the question first) goes to it.",
            "other": "Needed: their follow-ups go to it.",
        },
    },
}
PERSON_FIELDS = ("connector", "seeker", "target")
# The query parameters that start a new introduction prefilled (links from a contact, a goal,
# a share): named like the fields, so any page can build one.
PREFILL_FIELDS = (
    "my_role", "connector_name", "connector_email", "seeker_name", "seeker_email",
    "target_name", "target_email", "target_company", "target_url", "purpose", "start",
)  # fmt: skip


class NewIntroForm(forms.Form):
    my_role = forms.ChoiceField(
        label="Your part", choices=ROLE_CHOICES, widget=forms.RadioSelect, initial="seeker"
    )
    connector_name = forms.CharField(label="Connector's name", max_length=200, required=False)
    connector_email = forms.EmailField(label="Connector's email", required=False)
    seeker_name = forms.CharField(label="Seeker's name", max_length=200, required=False)
    seeker_email = forms.EmailField(label="Seeker's email", required=False)
    target_name = forms.CharField(label="Who is being introduced", max_length=200)
    target_email = forms.EmailField(
        label="Their email",
        required=False,
        help_text="Asking for an introduction? Leave it empty if you don't know it: the "
        "connector supplies it.",
    )
    target_company = forms.CharField(label="Their company", max_length=200, required=False)
    target_url = forms.URLField(
        label="Their LinkedIn (or other) page", max_length=500, required=False,
        assume_scheme="https",
    )  # fmt: skip
    purpose = forms.CharField(
        label="What the seeker hopes to learn about",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="A phrase that follows “hopes to learn about”, such as “how platform teams "
        "at Acme hire”. The drafted messages use it in the seeker's words and in the "
        "connector's.",
    )
    double_opt_in = forms.BooleanField(
        label="Ask the target first (double opt-in)",
        required=False,
        initial=True,
        help_text="The target says yes before the introduction; the seeker sees their email "
        "address only then.",
    )
    start = forms.ChoiceField(label="Where it stands", choices=START_CHOICES, initial="requested")
    on = forms.DateField(
        label="When",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for today.",
    )

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for party in PERSON_FIELDS:
            # autocomplete.js turns these into comboboxes; without it they stay plain inputs.
            self.fields[f"{party}_name"].widget.attrs.update(
                {"data-autocomplete": party, "autocomplete": "off"}
            )
        if not self.is_bound:
            role = self.initial.get("my_role", "seeker")
            other = "seeker" if role == "connector" else "connector"
            # Straight to the first person left to name: typing two letters picks them.
            for name in (f"{other}_name", "target_name", "purpose"):
                if not self.initial.get(name):
                    self.fields[name].widget.attrs["autofocus"] = True
                    break

    def clean_on(self):
        day = self.cleaned_data.get("on")
        if day and day > timezone.now().astimezone(self.user.zone).date():
            raise ValidationError(
                "That date is in the future; log an introduction once it happened."
            )
        return day

    def clean(self):
        super().clean()
        data = self.cleaned_data
        role = data.get("my_role")
        other = "connector" if role == "seeker" else "seeker"
        if role in ("seeker", "connector"):
            for part in ("name", "email"):
                if not data.get(f"{other}_{part}"):
                    self.add_error(f"{other}_{part}", "This field is required.")
        if data.get("start") not in STARTS:
            self.add_error("start", "Choose where it stands.")
        asking = role == "seeker" and data.get("start") == "requested"
        if not data.get("target_email") and not asking and "target_email" not in self.errors:
            self.add_error(
                "target_email",
                "Their email is needed, unless you are the seeker asking for the introduction.",
            )
        return data

    def new_intro(self) -> NewIntro:
        data = self.cleaned_data
        me = Party(self.user.display_name, self.user.email)
        role = data["my_role"]
        parties = {
            "connector": me if role == "connector" else Party(data["connector_name"],
                                                              data["connector_email"]),
            "seeker": me if role == "seeker" else Party(data["seeker_name"], data["seeker_email"]),
        }  # fmt: skip
        at = None
        now = timezone.now()
        if data.get("on") and data["on"] < now.astimezone(self.user.zone).date():
            # A past day without a time: noon that day, in the user's time zone.
            at = timezone.make_aware(datetime.combine(data["on"], time(12)), self.user.zone)
        return NewIntro(
            connector=parties["connector"],
            seeker=parties["seeker"],
            target=Party(
                data["target_name"],
                data["target_email"],
                data["target_company"],
                data["target_url"],
            ),
            purpose=data["purpose"],
            double_opt_in=data["double_opt_in"],
            start=data["start"],
            at=at,
            add_contacts=True,
        )


def prefill(user: User, params: Mapping[str, str]) -> dict[str, str]:
    """The new introduction form's first values, from a link's query parameters.

    Fields by their names; `contact=<id>` fills one party from the user's own contact
    (`as=target`, the default, or `as=connector`); another user's contact is ignored. A value
    given by name wins over the contact's.
    """
    initial: dict[str, str] = {}
    contact_id, party = params.get("contact", ""), params.get("as") or "target"
    if contact_id.isdigit() and party in ("target", "connector"):
        contact = access.scope(Contact, user).filter(id=int(contact_id)).first()
        if contact is not None:
            email = contact.emails.values_list("email", flat=True).first() or ""
            initial.update({f"{party}_name": contact.full_name, f"{party}_email": email})
            if party == "target":
                initial.update(target_company=contact.company, target_url=contact.linkedin_url)
            else:
                initial["my_role"] = "seeker"  # asking them to introduce me
    for name in PREFILL_FIELDS:
        value = " ".join(params.get(name, "").replace("\x00", "").split())
        if value:
            initial[name] = value[:2000]
    if initial.get("my_role") not in dict(ROLE_CHOICES):
        initial.pop("my_role", None)
    if initial.get("start") not in dict(START_CHOICES):
        initial.pop("start", None)
    return initial

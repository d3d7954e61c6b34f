"""Demo introductions: Maya's search seen from every side, with one introduction in each state.

Each plan below is one introduction: who plays which part, where it started and the steps
since, in days before the demo's "now". The steps go through `lifecycle.record_event`, as the
app records them, so milestones, next steps, due dates and on-time marks are all real.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from introloop.network.demo import DEMO_DOMAIN
from introloop.network.models import Contact

from . import lifecycle
from .models import Intro, Role, State
from .services import NewIntro, Party, create_intro

# People without an account: they act through the links in Introloop's emails.
OUTSIDERS = {
    "priya": ("Priya Raman", f"priya.raman@people.{DEMO_DOMAIN}", "Monzo"),
    "daniel": ("Daniel Osei", f"daniel.osei@people.{DEMO_DOMAIN}", "Thoughtworks"),
    "hannah": ("Hannah Vogel", f"hannah.vogel@people.{DEMO_DOMAIN}", "Zalando"),
    "tomas": ("Tomás Rivera", f"tomas.rivera@people.{DEMO_DOMAIN}", "Wise"),
    "ruth": ("Ruth Adler", f"ruth.adler@people.{DEMO_DOMAIN}", "BCG"),
    "marcus": ("Marcus Webb", f"marcus.webb@people.{DEMO_DOMAIN}", "Ocado"),
    "kofi": ("Kofi Boateng", f"kofi.boateng@people.{DEMO_DOMAIN}", "Atlassian"),
    "jonas": ("Jonas Weber", f"jonas.weber@people.{DEMO_DOMAIN}", "N26"),
    "ines": ("Inês Carvalho", f"ines.carvalho@people.{DEMO_DOMAIN}", "Octopus Energy"),
    "ben": ("Ben Carter", f"ben.carter@people.{DEMO_DOMAIN}", ""),
    "aiko": ("Aiko Tanaka", f"aiko.tanaka@people.{DEMO_DOMAIN}", ""),
    "oscar": ("Oscar Lindqvist", f"oscar.lindqvist@people.{DEMO_DOMAIN}", "Northvolt"),
    "leila": ("Leila Haddad", f"leila.haddad@people.{DEMO_DOMAIN}", "GitLab"),
}
# Where the demo's account holders work, for the purposes written to them.
USER_COMPANIES = {"lena": "Zalando", "sam": "Career Compass", "maya": "BCG"}
# What the seeker hopes to learn about, as a phrase: the drafts say it in either voice.
PURPOSES = [
    "how the product team at {company} works, for a move from consulting into product",
    "what a senior PM role at {company} really involves",
    "data-heavy product roles, and what makes {company} a great place to learn them",
    "how {company} hires product managers, and what they look for",
    "changing industries, from someone who did it to join {company}",
    "what someone senior at {company} looks for in a product portfolio",
]
OUTCOMES = [
    "We had a great half hour. She referred me for the Senior PM role and I have a first "
    "interview on Tuesday.",
    "No opening right now, but he gave me three companies to look at and offered to "
    "introduce me to his former manager.",
    "Really useful feedback on my portfolio; I rewrote two case studies the same week.",
    "They are hiring next quarter and will send me the job description before it is posted.",
]
# Who records each event, unless a plan says otherwise.
ACTOR = {
    "asked": Role.CONNECTOR,
    "introduced": Role.CONNECTOR,
    "accepted": Role.TARGET,
    "declined": Role.TARGET,
    "withdrawn": Role.SEEKER,
    "dropped": Role.SEEKER,
}


@dataclass
class Plan:
    """One introduction: parties by key ("maya", "sam", "lena", an outsider, "contact" for
    the next of Maya's contacts with an address, "sam_contact" for one of Sam's, "@plan" for
    the target of an earlier plan), the starting point and the steps since, as (days ago,
    event, details); `scheduled_for` is in days ago too, negative for a date still ahead."""

    seeker: str
    connector: str
    target: str
    steps: list[tuple[float, str, dict]]
    creator: str = "maya"
    opt_in: bool = True
    name: str = ""  # for a later plan's `parent`
    parent: str = ""


def _s(days: float, event: str, **details) -> tuple[float, str, dict]:
    return days, event, details


def _plans() -> list[Plan]:
    """Every introduction of the demo, in the order they are made."""
    return [*_asked_of_sam(), *_referral_chains(), *_asked_of_friends(), *_others_seeking()]


def _asked_of_sam() -> list[Plan]:
    """Maya asked Sam, her coach; both have accounts and see it from their side."""
    c, sc = "contact", "sam_contact"
    return [
        Plan("maya", "sam", c, [_s(1, "requested")]),
        Plan("maya", "sam", c, [_s(5, "requested")]),  # Sam is late asking
        Plan("maya", "sam", c, [_s(2.2, "requested")], opt_in=False),
        Plan("maya", "sam", sc, [_s(4, "requested"), _s(2, "asked")], creator="sam"),
        Plan("maya", "sam", c, [_s(12, "requested"), _s(10, "asked")]),  # the target is slow
        Plan("maya", "sam", c, [_s(6, "requested"), _s(5, "asked"), _s(1, "accepted")]),
        Plan("maya", "sam", sc, [_s(10, "requested"), _s(9, "asked"), _s(5, "accepted")],
             creator="sam"),  # Sam is late introducing
        Plan("maya", "sam", c, [_s(20, "requested"), _s(19, "asked"), _s(16, "declined")]),
        Plan("maya", "sam", c, [_s(9, "requested"), _s(8, "asked"), _s(6, "accepted"),
                                _s(0.6, "introduced")]),
        # Introduced six days ago and Maya has not written: the drop Introloop exists for.
        Plan("maya", "sam", c, [_s(15, "requested"), _s(14, "asked"), _s(10, "accepted"),
                                _s(6, "introduced")]),
        Plan("maya", "sam", sc, [_s(7, "requested"), _s(6, "asked"), _s(4, "accepted"),
                                 _s(3, "introduced"), _s(2, "reached_out")], creator="sam"),
        Plan("maya", "sam", c, [_s(22, "requested"), _s(21, "asked"), _s(18, "accepted"),
                                _s(16, "introduced"), _s(14, "reached_out"),
                                _s(8, "followed_up")]),
        Plan("maya", "sam", c, [_s(11, "requested"), _s(10, "asked"), _s(9, "accepted"),
                                _s(7, "introduced"), _s(6, "reached_out"),
                                _s(4, "scheduled", scheduled_for=-2.3)]),
        Plan("maya", "sam", c, [_s(16, "requested"), _s(15, "asked"), _s(14, "accepted"),
                                _s(12, "introduced"), _s(11, "reached_out"),
                                _s(9, "scheduled", scheduled_for=3)]),  # not marked as met
        Plan("maya", "sam", c, [_s(14, "requested"), _s(13, "asked"), _s(12, "accepted"),
                                _s(10, "introduced"), _s(9, "reached_out"),
                                _s(7, "scheduled", scheduled_for=0.7), _s(0.6, "met")]),
        Plan("maya", "sam", c, [_s(18, "requested"), _s(17, "asked"), _s(15, "accepted"),
                                _s(13, "introduced"), _s(12, "reached_out"), _s(4, "met")]),
        Plan("maya", "sam", c, [_s(17, "requested"), _s(16, "asked"), _s(14, "accepted"),
                                _s(12, "introduced"), _s(11, "reached_out"), _s(5, "met"),
                                _s(4.6, "thanked")]),
        Plan("maya", "sam", c, [_s(60, "requested"), _s(59, "asked"), _s(57, "accepted"),
                                _s(56, "introduced"), _s(55, "reached_out"), _s(50, "met"),
                                _s(49.8, "thanked"), _s(45, "loop_closed", outcome=0)]),
        Plan("maya", "sam", sc, [_s(40, "requested"), _s(39, "asked"), _s(38, "accepted"),
                                 _s(37, "introduced"), _s(36, "reached_out"),
                                 _s(30, "scheduled", scheduled_for=27), _s(27, "met"),
                                 _s(26.9, "thanked"), _s(24, "loop_closed", outcome=3)],
             creator="sam"),
        Plan("maya", "sam", c, [_s(8, "requested"),
                                _s(3, "withdrawn", note="The team froze hiring; no need to take "
                                   "their time now.")]),
        Plan("maya", "sam", c, [_s(35, "requested"), _s(34, "asked"), _s(33, "accepted"),
                                _s(32, "introduced"),
                                _s(20, "dropped", role=Role.CONNECTOR,
                                   note="They left the company and stopped answering email.")]),
    ]  # fmt: skip


def _referral_chains() -> list[Plan]:
    """Two chains, each introduction leading to the next (`name` and `parent`)."""
    c = "contact"
    return [
        # Referral chain 1: Sam introduces Maya to Lena, and Lena introduces her onward.
        Plan("maya", "sam", "lena", [_s(45, "requested"), _s(44, "asked"), _s(43, "accepted"),
                                     _s(42, "introduced"), _s(41, "reached_out"),
                                     _s(37, "met"), _s(36.8, "thanked"),
                                     _s(33, "loop_closed", outcome=1)], name="lena"),
        Plan("maya", "lena", "jonas", [_s(30, "introduced"), _s(29, "reached_out"),
                                       _s(21, "met"), _s(20.8, "thanked")], parent="lena"),
        # Referral chain 2: Ruth, then Ruth's contact, then theirs.
        Plan("maya", "ruth", c, [_s(40, "introduced"), _s(39, "reached_out"), _s(35, "met"),
                                 _s(34.9, "thanked"), _s(33, "loop_closed", outcome=1)],
             name="ruth"),
        Plan("maya", "@ruth", "ines", [_s(25, "introduced"), _s(24, "reached_out"),
                                       _s(18, "met"), _s(17.9, "thanked"),
                                       _s(12, "loop_closed", outcome=1)],
             name="ines", parent="ruth"),
        Plan("maya", "@ines", "oscar", [_s(2, "introduced")], parent="ines"),
    ]  # fmt: skip


def _asked_of_friends() -> list[Plan]:
    """Friends and former colleagues without an account; and Sam once more, who declines."""
    c = "contact"
    return [
        Plan("maya", "priya", c, [_s(9, "requested")], opt_in=False),  # Priya has not acted
        Plan("maya", "daniel", c, [_s(0.8, "introduced")]),
        Plan("maya", "hannah", c, [_s(3, "met"), _s(2.7, "thanked")]),
        Plan("maya", "tomas", c, [_s(20, "introduced"), _s(19, "reached_out"),
                                  _s(14, "followed_up"), _s(8, "followed_up")]),
        Plan("maya", "kofi", c, [_s(35, "introduced"),
                                 _s(21, "dropped", note="Never heard back; they have moved to "
                                    "Australia.")]),
        Plan("maya", "marcus", c, [_s(14, "requested"),
                                   _s(7, "withdrawn", note="Found a way in through the "
                                      "alumni network instead.")]),
        Plan("maya", "priya", c, [_s(28, "introduced"), _s(27, "reached_out"), _s(22, "met"),
                                  _s(21.9, "thanked"), _s(20, "loop_closed", outcome=2)]),
        Plan("maya", "leila", c, [_s(4, "introduced"), _s(3.5, "reached_out")]),
        Plan("maya", "sam", c, [_s(30, "requested"), _s(29, "asked"),
                                _s(27, "declined", role=Role.CONNECTOR,
                                   note="They told me on the phone: no calls until after "
                                   "their parental leave.")]),
    ]  # fmt: skip


def _others_seeking() -> list[Plan]:
    """Others are the seekers: Maya returns the favour as the connector, Sam coaches Lena."""
    c, sc = "contact", "sam_contact"
    return [
        Plan("lena", "maya", c, [_s(6, "requested"), _s(5, "asked"), _s(3, "accepted"),
                                 _s(1.5, "introduced")]),
        Plan("ben", "maya", c, [_s(3, "requested"), _s(2, "asked")]),
        Plan("aiko", "maya", c, [_s(20, "introduced"), _s(18, "reached_out"), _s(12, "met"),
                                 _s(10, "loop_closed", outcome=3)], opt_in=False),
        Plan("lena", "sam", sc, [_s(2, "requested")], creator="sam"),
        Plan("lena", "sam", sc, [_s(6, "met"), _s(5, "thanked")], creator="sam"),
    ]  # fmt: skip


class _Cast:
    """Turns a plan's keys into parties, handing out contacts in a fixed, shuffled order."""

    def __init__(self, world, rng: random.Random):
        self.users = world.users
        self.pools = {
            key: self._contacts(world.users[owner], rng)
            for key, owner in (("contact", "maya"), ("sam_contact", "sam"))
        }
        self.by_plan: dict[str, Intro] = {}

    @staticmethod
    def _contacts(owner, rng: random.Random) -> list[tuple[Party, str]]:
        found = []
        contacts = Contact.objects.filter(owner=owner, emails__isnull=False).distinct()
        for contact in contacts.prefetch_related("emails").order_by("id"):
            found.append((Party(contact.full_name, contact.emails.all()[0].email), contact.company))
        rng.shuffle(found)
        return found

    def party(self, key: str) -> tuple[Party, str]:
        """The party and their company ("" when unknown)."""
        if key in self.users:
            user = self.users[key]
            return Party(user.display_name, user.email), USER_COMPANIES.get(key, "")
        if key.startswith("@"):  # the target of an earlier plan
            earlier = self.by_plan[key[1:]]
            return Party(earlier.target_name, earlier.target_email), ""
        if key in self.pools:
            return self.pools[key].pop()
        name, email, company = OUTSIDERS[key]
        return Party(name, email), company


def _at(world, rng: random.Random, days: float, previous):
    """`days` before now, at a believable minute, after `previous` and never in the future."""
    at = world.now - timedelta(days=days, minutes=rng.randrange(0, 90))
    if previous is not None:
        at = max(at, previous + timedelta(minutes=rng.randrange(10, 40)))
    return min(at, world.now - timedelta(minutes=1))


def _record(world, intro: Intro, event: str, at, details: dict) -> Intro:
    role = details.pop("role", ACTOR.get(event, Role.SEEKER))
    user = getattr(intro, f"{role}_user")
    extra = {}
    if event == "scheduled":
        extra["scheduled_for"] = world.now - timedelta(days=details.pop("scheduled_for"))
    if event == "loop_closed":
        extra["outcome"] = OUTCOMES[details.pop("outcome")]
    return lifecycle.record_event(
        intro.id,
        event,
        roles={role},
        now=at,
        at=at,
        actor_user=user,
        actor_name="" if user else intro.party(role)[0],
        via="web" if user else "link",
        note=details.pop("note", ""),
        **extra,
    )


def add_introductions(world) -> None:
    """About forty introductions around Maya, in every state, some overdue, two referral chains."""
    rng = random.Random(20261124)  # noqa: S311 - made-up people, not secrets
    cast = _Cast(world, rng)
    made = []
    for n, plan in enumerate(_plans()):
        (first_days, start, _), *later = plan.steps
        seeker, _ = cast.party(plan.seeker)
        connector, _ = cast.party(plan.connector)
        target, company = cast.party(plan.target)
        purpose = PURPOSES[n % len(PURPOSES)].format(company=company or "your company")
        at = _at(world, rng, first_days, None)
        parent = cast.by_plan[plan.parent] if plan.parent else None
        intro, _ = create_intro(
            world.users[plan.creator],
            NewIntro(
                connector=connector,
                seeker=seeker,
                target=target,
                purpose=purpose,
                double_opt_in=plan.opt_in and start == "requested",
                start=start,
                at=at,
                parent_id=parent.id if parent else None,
            ),
            now=at,
        )
        for days, event, details in later:
            at = _at(world, rng, days, at)
            intro = _record(world, intro, event, at, dict(details))
        if plan.name:
            cast.by_plan[plan.name] = intro
        made.append(intro)
    states = {intro.state for intro in made}
    missing = set(State.values) - states
    if missing:
        raise RuntimeError(f"The demo lacks introductions in {sorted(missing)}.")
    world.log.append(f"{len(made)} introductions in every state")

"""Demo goals, asks both ways and applications, with enough history for every chart."""

import random
from datetime import date, timedelta

from introloop.intros.models import Intro
from introloop.network.models import Contact

from .models import Application, Ask, Brief, Goal, Need, Targets

APPLICATION_COMPANIES = [
    "Octopus Energy",
    "Ørsted",
    "Monzo",
    "Wise",
    "Climeworks",
    "Stripe",
    "Ocado",
    "Zalando",
    "GitLab",
    "Atlassian",
]


def add_goals(world) -> None:
    """Maya's two goals with their checklists, her brief and targets, asks and applications."""
    rng = random.Random(6)  # noqa: S311 - made-up history, not secrets
    maya = world.users["maya"]
    today = world.now.astimezone(maya.zone).date()
    goals = _goals_with_needs(world, maya)
    Brief.objects.create(
        owner=maya,
        shared=True,
        intro_text="Six years in strategy consulting, the last two leading product discovery "
        "for energy clients.",
    )
    Targets.objects.create(user=maya, weekly_outreach=5, referrals=40)
    asks = _add_asks(rng, maya, today, goals)
    applications = _add_applications(rng, maya, today)
    world.log.append(f"2 goals, {asks} asks and favours, {applications} applications")


def _goals_with_needs(world, maya) -> list[Goal]:
    """The climate and the fintech goal, each with a few things to find out or get."""
    climate = Goal.objects.create(
        owner=maya,
        title="Product role in climate tech",
        roles=["Product Manager", "Senior Product Manager"],
        industries=["Climate"],
        companies=["Octopus Energy", "Ørsted", "Climeworks", "Northvolt"],
        locations=["London", "Remote"],
        created_at=world.now - timedelta(days=90),
    )
    data = Goal.objects.create(
        owner=maya,
        title="Data product roles in fintech",
        roles=["Product Manager", "Head of Data"],
        industries=["Fintech"],
        companies=["Monzo", "Wise", "Stripe", "Adyen"],
        locations=["London"],
        created_at=world.now - timedelta(days=60),
    )
    needs = [
        (climate, "information", "how product teams are organised at energy retailers", True),
        (climate, "information", "what a typical interview loop looks like", False),
        (climate, "advice", "moving from consulting into product", True),
        (climate, "feedback", "my product case study", False),
        (data, "information", "which teams are hiring this quarter", False),
        (data, "feedback", "my CV for data product roles", False),
    ]
    for position, (goal, kind, text, done) in enumerate(needs):
        Need.objects.create(goal=goal, kind=kind, text=text, done=done, position=position)
    return [climate, data]


def _add_asks(rng: random.Random, maya, today: date, goals: list[Goal]) -> int:
    """Favours asked of and given to Maya's contacts over the last twelve weeks."""
    contacts = list(Contact.objects.filter(owner=maya).order_by("id"))
    kinds = ["advice", "resume_feedback", "introduction", "referral", "other"]
    asks = 0
    for n in range(36):
        person = rng.choice(contacts)
        on = today - timedelta(days=rng.randrange(1, 84))
        given = n % 3 == 0
        status = "done" if given or rng.random() < 0.6 else rng.choice(["asked", "declined"])
        follow_up = on + timedelta(days=7) if status == "asked" else None
        Ask.objects.create(
            owner=maya,
            contact=person,
            kind=rng.choice(kinds),
            direction="given" if given else "asked",
            status=status,
            on=on,
            follow_up_on=follow_up,
            goal=rng.choice([*goals, None]),
            note=rng.choice(["", "Over coffee.", "By email.", "After their talk."]),
            result="Sent two names to talk to." if status == "done" and not given else "",
        )
        asks += 1
    return asks


def _add_applications(rng: random.Random, maya, today: date) -> int:
    """Cold applications and referred ones, the referred ones more often interviewed."""
    referral_intros = list(Intro.objects.filter(seeker_user=maya, introduced_at__isnull=False))
    applications = 0
    for n in range(18):
        referral = n % 3 == 0
        status = rng.choice(["applied", "applied", "rejected", "interviewing", "withdrawn"])
        if referral:
            status = rng.choice(["interviewing", "interviewing", "offer", "rejected", "applied"])
        Application.objects.create(
            owner=maya,
            company=rng.choice(APPLICATION_COMPANIES),
            role=rng.choice(["Product Manager", "Senior Product Manager", "Data PM"]),
            applied_on=today - timedelta(days=rng.randrange(1, 80)),
            source="referral" if referral else "cold",
            intro=rng.choice(referral_intros) if referral and referral_intros else None,
            status=status,
            interviewed=status in ("interviewing", "offer") or (referral and status == "rejected"),
        )
        applications += 1
    return applications

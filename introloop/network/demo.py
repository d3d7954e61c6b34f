"""Demo contacts: a believable network across industries, with a history of interactions."""

import random
from datetime import timedelta

from .importers.records import ContactRecord, ParseResult
from .imports import apply_import
from .models import Contact
from .services import log_interaction

# Every address in the demo data is here: mail to it can never reach a real person.
DEMO_DOMAIN = "demo.introloop.test"

GIVEN = [
    "Aisha",
    "Ben",
    "Carlos",
    "Chloé",
    "Daniel",
    "Dev",
    "Elena",
    "Farah",
    "Felix",
    "Grace",
    "Hana",
    "Ibrahim",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Lucas",
    "Maria",
    "Mateo",
    "Mei",
    "Nadia",
    "Noah",
    "Olu",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Sana",
    "Sofia",
    "Tariq",
    "Theo",
    "Uma",
    "Victor",
    "Wen",
    "Yara",
    "Yusuf",
    "Zoë",
    "Amara",
    "Björn",
    "Camille",
    "Diego",
    "Emeka",
    "Freya",
    "Giulia",
    "Hugo",
    "Ivan",
]
FAMILY = [
    "Adeyemi",
    "Bauer",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fernandes",
    "García",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Laurent",
    "Mensah",
    "Novak",
    "Okafor",
    "Patel",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Umarov",
    "Varga",
    "Williams",
    "Xu",
    "Yilmaz",
    "Zhou",
    "Andersson",
    "Bianchi",
    "Costa",
    "Demir",
    "Evans",
    "Fischer",
    "Gupta",
    "Hoang",
    "Iqbal",
    "Kim",
    "Lopez",
    "Moreau",
    "Nakamura",
]
INDUSTRIES = {
    "Fintech": ["Monzo", "Stripe", "Revolut", "Wise", "Adyen"],
    "Software": ["GitLab", "Atlassian", "Canonical", "Elastic", "JetBrains"],
    "Healthcare": ["Babylon", "Cera", "Kry", "Ada Health"],
    "Climate": ["Octopus Energy", "Ørsted", "Climeworks", "Northvolt"],
    "Retail": ["Zalando", "Ocado", "ASOS", "Vinted"],
    "Consulting": ["McKinsey", "BCG", "Thoughtworks", "Accenture"],
    "Public sector": ["GOV.UK", "NHS Digital", "Ministry of Justice"],
    "Venture capital": ["Seedcamp", "Balderton", "Index Ventures", "LocalGlobe"],
}
TITLES = [
    "Product Manager",
    "Senior Product Manager",
    "Head of Product",
    "Data Scientist",
    "Engineering Manager",
    "Staff Engineer",
    "Designer",
    "Recruiter",
    "Talent Partner",
    "Founder",
    "CTO",
    "VP Engineering",
    "Analyst",
    "Principal",
    "Head of Data",
    "Operations Lead",
]
CITIES = ["London", "Berlin", "Lisbon", "Amsterdam", "Paris", "Stockholm", "Manchester", "Remote"]
HOW_MET = [
    "Worked together at a previous job",
    "Met at a conference",
    "University friend",
    "Introduced through a former manager",
    "Meetup speaker",
    "Alumni network",
    "Played in the same five-a-side team",
    "Bootcamp cohort",
]
HELP = [
    "Knows the hiring manager on the data team",
    "Could review my portfolio",
    "Happy to do a mock interview",
    "Knows everyone in climate tech in Berlin",
    "Can tell me what the product org is really like",
    "Might refer me internally",
    "Advice on moving from consulting to product",
    "",
]
INTERACTION_NOTES = [
    "",
    "Good chat about their team.",
    "Sent my CV afterwards.",
    "They suggested two people to talk to.",
]
TAGS = ["mentor", "recruiter", "alumni", "ex-colleague", "investor", "climate", "data", "design"]
NOTES = [
    "Prefers a short email to a LinkedIn message.",
    "Has two kids; mornings are best.",
    "Mentioned they are hiring next quarter.",
    "Runs marathons; ask about Berlin.",
    "",
    "",
]
KINDS = ["email", "call", "video", "coffee", "message", "meeting", "event"]


def _network(rng: random.Random, size: int) -> list[ContactRecord]:
    records: list[ContactRecord] = []
    seen: set[tuple[str, str]] = set()
    while len(records) < size:
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        if (given, family) in seen:
            continue
        seen.add((given, family))
        industry = rng.choice(list(INDUSTRIES))
        company = rng.choice(INDUSTRIES[industry])
        slug = f"{given}-{family}-{rng.randrange(10**5):05d}".lower()
        from_linkedin = rng.random() < 0.6
        email_domain = company.lower().replace(" ", "").replace(".", "") + "." + DEMO_DOMAIN
        emails = [(f"{given}.{family}@{email_domain}".lower(), "work")]
        if from_linkedin and rng.random() < 0.7:
            emails = []
        records.append(
            ContactRecord(
                line=len(records) + 1,
                full_name=f"{given} {family}",
                given_name=given,
                family_name=family,
                emails=emails,
                linkedin_url=f"https://www.linkedin.com/in/{slug}" if from_linkedin else "",
                company=company,
                title=rng.choice(TITLES),
                industry=industry,
                location=rng.choice(CITIES),
                tags=rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2])),
                how_we_met=rng.choice(HOW_MET) if rng.random() < 0.5 else "",
                how_they_can_help=rng.choice(HELP),
                strength=rng.choice(
                    ["close", "warm", "warm", "acquaintance", "acquaintance", "cold", ""]
                ),
                keep_in_touch_days=rng.choice([None] * 8 + [30, 60, 90]),
                notes=rng.choice(NOTES),
                source="linkedin" if from_linkedin else rng.choice(["vcard", "google", "manual"]),
            )
        )
    return records


def add_contacts(world) -> None:
    """A few hundred contacts for the seeker, fewer for the coach and the third account."""
    rng = random.Random(20261123)  # noqa: S311 - made-up people, not secrets
    sizes = {"maya": 320, "sam": 90, "lena": 60}
    total_interactions = 0
    for key, size in sizes.items():
        owner = world.users[key]
        records = _network(rng, size)
        parsed = ParseResult(format="linkedin", records=records, total_rows=len(records))
        apply_import(owner, parsed, now=world.now - timedelta(days=120), filename="demo.csv")
        contacts = list(Contact.objects.filter(owner=owner).order_by("id"))
        for _ in range(size // 2):
            people = rng.sample(contacts, rng.choice([1, 1, 1, 2]))
            day = (world.now - timedelta(days=rng.randrange(1, 200))).date()
            log_interaction(
                owner,
                kind=rng.choice(KINDS),
                occurred_on=day,
                notes=rng.choice(INTERACTION_NOTES),
                contacts=people,
                now=world.now,
            )
            total_interactions += 1
    world.log.append(f"{sum(sizes.values())} contacts and {total_interactions} interactions")

"""Made-up people for the benchmarks: a LinkedIn Connections.csv of any size (not a
benchmark itself: run.py runs only the bench/*.py files without a leading underscore)."""

import csv
import io
import random

GIVEN = [
    "Ada",
    "Ben",
    "Chloé",
    "Dev",
    "Elena",
    "Farah",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Olu",
    "Priya",
]
FAMILY = [
    "Adeyemi",
    "Bauer",
    "Castillo",
    "Dubois",
    "García",
    "Haddad",
    "Ito",
    "Jansen",
    "Novak",
    "Okafor",
    "Patel",
    "Rossi",
]
COMPANIES = [f"Company {n}" for n in range(800)]
TITLES = ["Product Manager", "Data Scientist", "Engineer", "Recruiter", "Founder", "Designer"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def linkedin_export(rows: int, start: int = 0) -> bytes:
    """A Connections.csv as LinkedIn writes it: note lines, then seven columns; its people's
    profiles are numbered from `start`, so that two exports can hold different people."""
    rng = random.Random(7)
    out = io.StringIO()
    out.write(
        'Notes:\n"When exporting your connection data, you may notice that some of the '
        'email addresses are missing."\n\n'
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
    )
    for n in range(start, start + rows):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        email = f"{given}.{family}{n}@example.com".lower() if rng.random() < 0.25 else ""
        writer.writerow(
            [
                given,
                family,
                f"https://www.linkedin.com/in/{given}-{family}-{n:06d}".lower(),
                email,
                rng.choice(COMPANIES),
                rng.choice(TITLES),
                f"{rng.randint(1, 28):02d} {rng.choice(MONTHS)} {rng.randint(2010, 2025)}",
            ]
        )
    return out.getvalue().encode("utf-8")

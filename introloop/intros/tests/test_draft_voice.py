"""Drafts in the right voice: the connector speaks of the seeker, the seeker speaks as "I".

Every drafted message of every step is rendered for a sample introduction (Cora introduces
Maya to Tomasz) whose purpose Maya wrote the way people do, in the first person.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from introloop.intros import services
from introloop.intros.messages import DEFAULTS, WRITERS, draft, draft_for_step, topic_of
from introloop.intros.models import Intro, Role
from introloop.intros.services import NewIntro, Party
from introloop.intros.steps import STEPS

pytestmark = pytest.mark.django_db

SEEKER = Party("Maya Patel", "maya@example.net")
CONNECTOR = Party("Cora Lindqvist", "cora@example.com")
TARGET = Party("Tomasz Nowak", "tomasz@example.org")
FIRST_NAMES = {"seeker": "Maya", "connector": "Cora", "target": "Tomasz"}
# Who each draft is written to, as the names its greeting must use.
GREETED = {"target": ["Tomasz"], "connector": ["Cora"], "both": ["Tomasz", "Maya"]}

# Purposes as people write them, and what the drafts must carry of each.
PURPOSES = {
    "I'd love to learn how your team hires data engineers": "how your team hires data engineers",
    "I'm looking for advice on my move into data engineering.": "advice on {my} move into data",
    "Advice on data engineering teams": "learn about data engineering teams",
    "I would like to hear how your team hires data engineers, and what I should read first.": (
        "how your team hires data engineers, and what {I} should read first"
    ),
    "Maya would love 20 minutes on how your team hires data engineers": "how your team hires",
    "How your team hires data engineers": "how your team hires data engineers",
}
# The seeker's own wishes, which the connector must not put in their mouth.
FIRST_PERSON = re.compile(
    r"\bI'd love\b|\bI would love\b|\bI'm looking\b|\bI want\b|\bI hope\b|\bI'm hoping\b"
    r"|\bmy\b|\bmyself\b",
    re.IGNORECASE,
)
# The seeker spoken of in the third person, by name or pronoun.
THIRD_PERSON = re.compile(r"\bMaya\b|\bPatel\b|\bshe\b|\bher\b|\bthey hope|\bhopes to\b", re.I)


def _sample(purpose: str) -> Intro:
    cora = make_user(CONNECTOR.email, CONNECTOR.name)
    new = NewIntro(
        connector=Party(CONNECTOR.name, CONNECTOR.email),
        seeker=Party(SEEKER.name, SEEKER.email),
        target=Party(TARGET.name, TARGET.email),
        purpose=purpose,
        double_opt_in=True,
        start="requested",
    )
    intro, _ = services.create_intro(cora, new, timezone.now())
    return intro


def _drafts(intro: Intro):
    """Every step's drafted message, with who writes it and to whom."""
    for step in STEPS.values():
        if step.draft is None:
            continue
        drafted = draft_for_step(step.name, intro, None, target_email_visible=True)
        assert drafted is not None
        yield step, drafted


def _assert_clean(text: str) -> None:
    assert "{" not in text and "}" not in text, text
    assert "None" not in text, text
    assert "  " not in text, text
    assert not re.search(r" [.,;:!?]", text), text
    assert not re.search(r"[.,;:!?][.,;:!?]", text), text
    # No sentence starts in lower case (a phrase placed at the start of one would).
    assert not re.search(r"[.!?]\s+[a-z]", text), text


def test_every_drafted_message_belongs_to_a_step_that_says_who_writes_it():
    assert set(WRITERS) == set(DEFAULTS)
    assert set(WRITERS.values()) <= {Role.SEEKER, Role.CONNECTOR}


@pytest.mark.parametrize("purpose", list(PURPOSES))
def test_it_writes_every_draft_in_its_writers_voice(purpose):
    intro = _sample(purpose)
    rendered = list(_drafts(intro))
    assert {step.draft for step, _ in rendered} == set(DEFAULTS)

    for step, drafted in rendered:
        writer = WRITERS[drafted.key]
        assert writer == step.owner
        lines = drafted.body.splitlines()
        _assert_clean(drafted.subject)
        _assert_clean(drafted.body)

        # Greeted by first name, signed by the writer's first name.
        greeting = lines[0]
        assert greeting.startswith("Hi ") and greeting.endswith(","), greeting
        for name in GREETED[step.draft_to]:
            assert name in greeting, (drafted.key, greeting)
        assert not re.search(r"Patel|Nowak|Lindqvist", greeting), greeting
        assert lines[-1] == FIRST_NAMES[writer], (drafted.key, lines[-1])

        words = "\n".join([drafted.subject, *lines[:-1]])
        if writer == Role.CONNECTOR:
            assert "Maya" in words, drafted.key
            assert not FIRST_PERSON.search(words), (drafted.key, words)
        else:
            assert not THIRD_PERSON.search(words), (drafted.key, words)

        if "{topic}" in DEFAULTS[drafted.key][2]:
            third = writer == Role.CONNECTOR
            pronouns = {"my": "their", "I": "they"} if third else {"my": "my", "I": "I"}
            expected = PURPOSES[purpose].format(**pronouns)
            assert expected in drafted.body, (drafted.key, drafted.body)


def test_the_connectors_question_speaks_of_the_seeker_and_the_seekers_note_as_i():
    intro = _sample("I'd love to learn how your team hires data engineers.")
    drafts = {d.key: d for _, d in _drafts(intro)}
    assert (
        "Would you be happy for me to introduce you to Maya Patel? Maya hopes to learn about "
        "how your team hires data engineers, and I thought of you straight away."
    ) in drafts["connector_ask"].body
    assert (
        "Tomasz, Maya Patel is someone I'm happy to vouch for. They are hoping to learn about "
        "how your team hires data engineers"
    ) in drafts["connector_introduce"].body
    assert (
        "I'm hoping to learn about how your team hires data engineers, and your view would "
        "help me a great deal."
    ) in drafts["seeker_reach_out"].body


@pytest.mark.parametrize(
    "purpose, seeker, connector",
    [
        ("how platform teams at Acme hire", "how platform teams at Acme hire", None),
        ("I'd love to learn how platform teams at Acme hire.", "how platform teams at Acme hire",
         None),
        ("Maya Patel would like to hear about Acme's hiring", "Acme's hiring", None),
        ("I'm keen to learn more about your path into data", "your path into data", None),
        ("I\u2019m looking for tips on my CV.", "tips on my CV", "tips on their CV"),
        ("I'd love your advice on how to move into data", "how to move into data", None),
        ("Advice on data teams", "data teams", None),
        ("Feedback on my portfolio", "feedback on my portfolio", "feedback on their portfolio"),
        ("I want to know what I'm getting into", "what I'm getting into",
         "what they're getting into"),
        ("I'm moving into data and would love to hear how you did it", "how you did it", None),
        ("I'm moving into data", "your work", None),
        ("I'd love to chat!", "your work", None),
        ("AI roles at Acme", "AI roles at Acme", None),
    ],
)  # fmt: skip
def test_the_purpose_becomes_a_phrase_in_the_writers_voice(purpose, seeker, connector):
    assert topic_of(purpose, "Maya Patel", Role.SEEKER) == seeker
    assert topic_of(purpose, "Maya Patel", Role.CONNECTOR) == (connector or seeker)


def test_own_wordings_made_before_still_render_with_the_purpose_as_written():
    intro = _sample("I'd love to learn how your team hires data engineers")
    cora = intro.connector_user
    services.save_message_template(
        cora, "connector_ask", "About {seeker_first}", "In short: {purpose} Or: {topic}."
    )
    drafted = draft("connector_ask", intro, cora)
    assert drafted.subject == "About Maya"
    assert drafted.body == (
        "In short: I'd love to learn how your team hires data engineers. "
        "Or: how your team hires data engineers."
    )


def test_the_form_asks_for_what_the_seeker_hopes_to_learn_about(alice_client):
    page = alice_client.get(reverse("intros:new")).content.decode()
    assert "What the seeker hopes to learn about" in page
    assert "how platform teams at Acme hire" in page

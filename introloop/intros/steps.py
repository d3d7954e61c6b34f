"""What each step of an introduction is: the one table every other place reads.

Words: an *event* is what happened (`reached_out`), a *step* is what is due (`reach_out`).
A step has an owner (the party it waits on), the event that completes it (and others that
count as doing it), a title, the drafted message that goes with it, the one-click choices
offered by email to an owner without an account, and whether the connector gets a heads-up
when the seeker is late with it. When the step is due is lifecycle.next_steps()'s business.

Where do I add a new step? Here, then its due date in lifecycle.next_steps().
"""

from collections.abc import Iterable
from dataclasses import dataclass

from .models import NextStepKind, Role


@dataclass(frozen=True)
class Choice:
    """A one-click choice in an email: the event it records and the button's words."""

    event: str
    label: str


@dataclass(frozen=True)
class Step:
    name: str
    owner: str
    # The event that records the step; with `one_click`, a single click (Today, digests).
    completed_by: str
    # Other events that also count as doing it, for the on-time record.
    also_completed_by: frozenset[str]
    title: str  # with {seeker}, {target} and {connector}
    # The drafted message (a key of messages.DEFAULTS) and to whom it is written:
    # "target", "connector" or "both" (seeker and target together).
    draft: str | None
    draft_to: str
    choices: tuple[Choice, ...]  # for an owner without an account, by email
    one_click: bool = True  # False when it needs words from the owner (an outcome)
    # True when the choices are alternatives answered once (yes or no): one link for all.
    exclusive: bool = False
    # For the connector's heads-up when the seeker is late: "… was due to <heads_up> Tom".
    heads_up: str | None = None

    @property
    def label(self) -> str:
        return NextStepKind(self.name).label

    @property
    def completing_events(self) -> frozenset[str]:
        return self.also_completed_by | {self.completed_by}

    def title_for(self, seeker: str, target: str, connector: str) -> str:
        return self.title.format(seeker=seeker, target=target, connector=connector)


def _step(
    name: str,
    owner: str,
    completed_by: str,
    title: str,
    *,
    also: Iterable[str] = (),
    draft: str | None = None,
    to: str = "",
    choices: Iterable[tuple[str, str]] = (),
    one_click: bool = True,
    exclusive: bool = False,
    heads_up: str | None = None,
) -> Step:
    return Step(
        name,
        owner,
        completed_by,
        frozenset(also),
        title,
        draft,
        to,
        tuple(Choice(*c) for c in choices),
        one_click=one_click,
        exclusive=exclusive,
        heads_up=heads_up,
    )


WROTE = ("reached_out", "I have written to them")
TALKED = ("met", "We talked")
TOLD = ("loop_closed", "Tell the connector how it went")

STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        _step("ask_target", Role.CONNECTOR, "asked",
              "Ask {target} whether they are happy to be introduced", also={"introduced"},
              draft="connector_ask", to="target"),
        _step("introduce", Role.CONNECTOR, "introduced", "Introduce {seeker} to {target}",
              draft="connector_introduce", to="both"),
        _step("answer", Role.TARGET, "accepted",
              "Answer whether you are happy to talk to {seeker}", also={"declined"},
              choices=[("accepted", "Yes, happy to talk"), ("declined", "Not right now")],
              one_click=False, exclusive=True),
        _step("reach_out", Role.SEEKER, "reached_out", "Write to {target}",
              also={"met", "scheduled"}, draft="seeker_reach_out", to="target",
              choices=[WROTE], heads_up="write to"),
        _step("follow_up", Role.SEEKER, "followed_up", "Follow up with {target}",
              also={"met", "scheduled"}, draft="seeker_follow_up", to="target",
              choices=[("followed_up", "I followed up"), TALKED]),
        _step("meet", Role.SEEKER, "met", "Have the conversation with {target}",
              choices=[TALKED]),
        _step("thank", Role.SEEKER, "thanked", "Thank {target}", draft="seeker_thank",
              to="target", choices=[("thanked", "I said thank you")]),
        _step("close_loop", Role.SEEKER, "loop_closed", "Tell {connector} what came of it",
              draft="seeker_close_loop", to="connector", choices=[TOLD], one_click=False,
              heads_up="tell you what came of"),
    ]
}  # fmt: skip

# What the target is asked about a week after the introduction, while the seeker's first
# steps are open: their answer records the seeker's step, or a note that nothing came yet.
CHECKIN_CHOICES = (Choice("reached_out", "Yes, they got in touch"), Choice("not_yet", "Not yet"))


# A connector's answers to a seeker's request, on the page of the link emailed to them: one
# link, answered once. Words with {target} are completed with the target's first name.
REQUEST_ANSWERS = {
    "asked": "Ask {target} first",
    "introduced": "Introduce now",
    "withdrawn": "Pass",
}


def step(name: str) -> Step:
    return STEPS[name]


def choices_for(step_names: list[str]) -> list[Choice]:
    """The one-click choices for these open steps, each event once, in order."""
    seen: dict[str, Choice] = {}
    for name in step_names:
        for choice in STEPS[name].choices:
            seen.setdefault(choice.event, choice)
    return list(seen.values())


def link_label(event: str, role: str) -> str:
    """The button's words for an event on a link page, as the person it was sent to reads it."""
    if role == Role.TARGET:
        for choice in (*CHECKIN_CHOICES, *STEPS["answer"].choices):
            if choice.event == event:
                return choice.label
    if role == Role.CONNECTOR and event in REQUEST_ANSWERS:
        return REQUEST_ANSWERS[event]
    for s in STEPS.values():
        for choice in s.choices:
            if choice.event == event:
                return choice.label
    return event


def lower_first(text: str) -> str:
    """ "Write to Tom Hale" -> "write to Tom Hale", for use inside a sentence."""
    return text[:1].lower() + text[1:]

from datetime import datetime

from django.utils import timezone

from introloop.intros.services import NewIntro, Party, create_intro

SAM = Party("Sam Okafor", "sam@example.com")
TOM = Party("Tom Hale", "tom@example.org")


def intro(creator, *, seeker=None, connector=None, target=None, start="requested",
          at: datetime | None = None, double_opt_in=True, now=None, purpose="Advice on data teams",
          parent_id=None):  # fmt: skip
    """An introduction logged by `creator`, who is the seeker unless said otherwise."""
    me = Party(creator.display_name, creator.email)
    new = NewIntro(
        connector=connector or (SAM if True else me),
        seeker=seeker or me,
        target=target or TOM,
        purpose=purpose,
        double_opt_in=double_opt_in,
        start=start,
        at=at,
        parent_id=parent_id,
    )
    if connector is None and seeker is not None:
        new.connector = me
    created, _ = create_intro(creator, new, now or timezone.now())
    return created

"""fold(): lower-cased, accents stripped; a translation table gives what the per-character
generator it replaced gave, for any text."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from introloop.network.models import fold


def fold_by_generator(text: str) -> str:
    """fold() as it was written first: one generator step per character."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def test_it_strips_accents_and_case():
    assert fold("José Ñúñez") == "jose nunez"
    assert fold("İstanbul") == "istanbul"
    assert fold("ﬁnance") == "finance"
    assert fold("Ελλάδα") == "ελλαδα"


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_it_folds_any_text_as_the_generator_did(text):
    assert fold(text) == fold_by_generator(text)

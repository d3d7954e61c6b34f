"""any_of() finds the same rows as __in, on SQLite and on PostgreSQL (where it is an array)."""

import pytest
from django.db.models import Q

from introloop.accounts.models import User
from introloop.lookups import any_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return [User.objects.create_user(email=f"p{n}@example.test", password=None) for n in range(5)]


def test_ids_strings_and_nothing(people):
    ids = [people[1].id, people[3].id, 10_000_000]
    assert list(User.objects.filter(any_of("id", ids)).order_by("id")) == [people[1], people[3]]
    by_email = User.objects.filter(any_of("email", {"p2@example.test", "nobody@x.test"}))
    assert list(by_email) == [people[2]]
    assert not User.objects.filter(any_of("id", [])).exists()
    assert User.objects.exclude(any_of("id", [people[0].id])).count() == 4


def test_combined_with_or_and_thousands_of_values(people):
    many = [*range(10_000_000, 10_007_000), people[4].id]
    either = Q(any_of("id", many)) | Q(any_of("email", ["p0@example.test"]))
    assert set(User.objects.filter(either)) == {people[0], people[4]}

"""`any_of(field, values)`: `field IN (values)` written for lists of thousands of values."""

from collections.abc import Iterable

from django.db.models import F, Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    """`= ANY(%s)` with the list as one array parameter on PostgreSQL, `IN (...)` elsewhere.

    With thousands of ids, `IN (%s, %s, ...)` costs more to build, for Django and psycopg to
    parse, and for PostgreSQL to plan than to run: 6,700 ids took 120 ms against 16 ms.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection, prepared=False) for v in self.rhs]
        return f"{lhs} = ANY(%s)", [*params, values]


def any_of(field: str, values: Iterable) -> AnyOf:
    """A filter for `field` among `values`: `Model.objects.filter(any_of("user_id", ids))`."""
    return AnyOf(F(field), list(values))

import json

from django.http import HttpRequest
from ninja import Schema
from ninja.parser import Parser
from pydantic import ConfigDict

from .errors import invalid

INT64 = 2**63  # the databases' integers end below this


class JsonObjectParser(Parser):
    """Request bodies are JSON objects; anything else is refused rather than ignored.

    What no field may hold is refused here, for every endpoint at once, with a 422 naming
    the field: NUL characters (PostgreSQL cannot store them), lone surrogates (no encoding
    can), whole numbers beyond 64 bits, and JSON's NaN and Infinity.
    """

    def parse_body(self, request: HttpRequest) -> dict:
        data = json.loads(request.body, parse_constant=_no_constants)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        _check(data, "")
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest) -> dict:
        """Query strings and form fields (and files, which are let through as they are)."""
        for name, values in data.lists():
            for value in values:
                if isinstance(value, str):
                    _check_query_value(name, value)
        return super().parse_querydict(data, list_fields, request)


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _check(value, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, where or key)
            _check(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, f"{where}.{i}")
    elif isinstance(value, str):
        _check_text(value, where)
    elif isinstance(value, int) and not isinstance(value, bool) and not -INT64 <= value < INT64:
        raise invalid(where, "Too large a number.")


def _check_text(text: str, where: str) -> None:
    if "\x00" in text:
        raise invalid(where, "Null characters are not allowed.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(where, "Not valid text (a lone surrogate character).") from None


def _check_query_value(name: str, value: str) -> None:
    if "\x00" in value:
        raise invalid(name, "Null characters are not allowed.", source="query")
    digits = value.lstrip("-")
    if digits.isdigit() and not -INT64 <= int(value) < INT64:
        raise invalid(name, "Too large a number.", source="query")


class Input(Schema):
    """A request body's schema: a key it does not know is refused (422 naming it), not
    silently ignored, so that a misspelt field never looks like a change that was saved."""

    model_config = ConfigDict(extra="forbid")

    def changes(self, nullable: tuple[str, ...] = ()) -> dict:
        """The fields the client sent (a PATCH); a null where a value is needed is a 422."""
        sent = self.model_dump(exclude_unset=True)
        for field, value in sent.items():
            if value is None and field not in nullable:
                raise invalid(field, "A value is needed, not null.")
        return sent

import json

from django.http import HttpRequest
from ninja import Schema
from ninja.parser import Parser
from pydantic import ConfigDict

from .errors import invalid


class JsonObjectParser(Parser):
    """Request bodies are JSON objects; anything else is refused rather than ignored."""

    def parse_body(self, request: HttpRequest) -> dict:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data


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

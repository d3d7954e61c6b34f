import json

from django.http import HttpRequest
from ninja.parser import Parser


class JsonObjectParser(Parser):
    """Request bodies are JSON objects; anything else is refused rather than ignored."""

    def parse_body(self, request: HttpRequest) -> dict:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data

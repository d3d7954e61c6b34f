"""Every API error is JSON with a human-readable `detail`; validation errors name the field."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

# Where a value came from is not part of the field's name as the client knows it.
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def _field_name(loc: list) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
        # ninja nests a body under its parameter's name (e.g. "payload"); drop it too.
        if len(parts) > 1:
            parts = parts[1:]
    return ".".join(parts)


def _message(error: dict) -> str:
    message = str(error.get("msg", "Invalid value"))
    # pydantic prefixes messages raised by our own validators with this.
    return message.removeprefix("Value error, ")


def validation_errors(errors: list[dict]) -> list[dict]:
    return [{"field": _field_name(e.get("loc", [])), "message": _message(e)} for e in errors]


def invalid(field: str, message: str, source: str = "body") -> ValidationError:
    """A 422 naming `field`, for input checked inside a handler (after the object it is about
    was found, so that someone else's object is a 404 first)."""
    loc = ["body", "payload", field] if source == "body" else [source, field]
    return ValidationError([{"loc": loc, "msg": message}])


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = validation_errors(exc.errors)
        first = errors[0] if errors else {"field": "", "message": "Invalid input"}
        detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

    @api.exception_handler(AuthenticationError)
    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(
            request,
            {"detail": "Missing or invalid API token. Send 'Authorization: Bearer <token>'."},
            status=401,
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, ValidationError):  # a field the parser refused
            return on_validation_error(request, exc.__cause__)
        detail = str(exc)
        if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
            detail = "The request body is not a valid JSON object."
        return api.create_response(request, {"detail": detail}, status=exc.status_code)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": "Not found."}, status=404)

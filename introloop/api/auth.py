from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from introloop.accounts.models import User
from introloop.accounts.services import user_for_api_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token from Settings → API tokens."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_api_token(token, timezone.now())
        if user is not None:
            request.user = user
            # Moments without a time zone in this request are the account's (api/types.py);
            # UserTimeZoneMiddleware deactivates it when the response is done.
            timezone.activate(user.zone)
        return user

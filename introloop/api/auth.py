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
        return user

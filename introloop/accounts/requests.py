"""What a request carries once it is known whose it is, for type checking: views behind
login_required take an AuthedRequest, API handlers (bearer token) an ApiRequest."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import User


class AuthedRequest(HttpRequest):
    """A request past login_required: `user` is an account, never anonymous."""

    user: User
    htmx: HtmxDetails


class ApiRequest(HttpRequest):
    """A request the API's bearer-token check let through: `auth` is the token's account."""

    auth: User

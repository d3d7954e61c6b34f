from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from introloop import access
from introloop.accounts.requests import AuthedRequest
from introloop.goals.queries import contact_page_balance
from introloop.network.forms import InteractionForm
from introloop.network.models import Contact
from introloop.network.queries import local_today

from .queries import timeline


@login_required
def contact_detail(request: AuthedRequest, contact_id: int) -> HttpResponse:
    """A contact and everything you did together, with the balance of favours."""
    contact = access.get_or_404(
        Contact.objects.select_related("introduced_by"), request.user, id=contact_id
    )
    today = local_today(request.user, timezone.now())
    context = {
        "contact": contact,
        "emails": list(contact.emails.all()),
        "tags": list(contact.tags.all()),
        "timeline": timeline(contact),
        "introduced": list(contact.introduced.only("id", "full_name")),
        "overdue": bool(contact.reconnect_due_on and contact.reconnect_due_on < today),
        "today": today,
        "interaction_form": InteractionForm(
            request.user, today=today, initial={"contacts": [contact.id]}
        ),
        "nav": "contacts",
        **contact_page_balance(contact, request.user),
    }
    return render(request, "timeline/contact.html", context)

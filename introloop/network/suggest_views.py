"""The contact autocomplete of person fields (the new introduction form's): contacts as JSON."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from introloop.accounts.requests import AuthedRequest

from . import queries

SUGGEST_MIN, SUGGEST_MAX, SUGGEST_LIMIT = 2, 100, 8


@login_required
@require_GET
def suggest(request: AuthedRequest) -> JsonResponse:
    """Contacts for a person field's autocomplete, as JSON: who matches `q` (the contact
    search's rule), with what fills the other fields (first address, company, LinkedIn)."""
    q = request.GET.get("q", "")
    if len(q) > SUGGEST_MAX or "\x00" in q:
        return JsonResponse({"error": f"Search with up to {SUGGEST_MAX} characters."}, status=400)
    if len(q.strip()) < SUGGEST_MIN:
        return JsonResponse({"contacts": []})
    today = queries.local_today(request.user, timezone.now())
    found = list(
        queries.search_contacts(request.user, today=today, q=q).values_list(
            "id", "full_name", "company", "title", "linkedin_url"
        )[:SUGGEST_LIMIT]
    )
    emails = queries.emails_of([row[0] for row in found])
    contacts = [
        {
            "id": pk,
            "name": name,
            "email": emails[pk][0][0] if pk in emails else "",
            "company": company,
            "title": title,
            "url": url,
        }
        for pk, name, company, title, url in found
    ]
    return JsonResponse({"contacts": contacts})

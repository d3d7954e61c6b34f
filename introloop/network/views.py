from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_POST

from introloop import access
from introloop.accounts.requests import AuthedRequest
from introloop.routes import url_template

from . import merging, queries, services
from .forms import BulkTagForm, ContactForm, InteractionForm, MergeForm
from .models import Contact, Interaction, Strength

PAGE_SIZE = 50


def _get_contact_for_user(request: AuthedRequest, contact_id: int) -> Contact:
    return access.get_or_404(
        Contact.objects.select_related("introduced_by"), request.user, id=contact_id
    )


def _get_interaction_for_user(request: AuthedRequest, interaction_id: int) -> Interaction:
    return access.get_or_404(Interaction, request.user, id=interaction_id)


def _today(request: AuthedRequest) -> date:
    return queries.local_today(request.user, timezone.now())


def _list_rows(values: list[tuple], today: date) -> list[dict]:
    """The contact list's rows, worded here rather than by filters and tags in each row."""
    ids = [row[0] for row in values]
    emails, tags = queries.emails_of(ids), queries.tag_names_of(ids)
    contact_url = url_template("timeline:contact")
    rows = []
    for contact_id, full_name, title, company, last_on, due_on in values:
        first_email = emails.get(contact_id)
        rows.append(
            {
                "id": contact_id,
                "full_name": full_name,
                "url": contact_url.format(contact_id),
                "email": first_email[0][0] if first_email else "",
                "headline": f"{title} at {company}" if title and company else title or company,
                "tags": tags.get(contact_id, ()),
                "last_on": dateformat.format(last_on, "j M Y") if last_on else "",
                "overdue": bool(due_on and due_on < today),
            }
        )
    return rows


@login_required
def contact_list(request: AuthedRequest) -> HttpResponse:
    params = request.GET
    filters: queries.ContactFilters = {
        "q": params.get("q", "").strip()[:200],
        "tag": params.get("tag", "").strip(),
        "company": params.get("company", "").strip(),
        "strength": params.get("strength", "") if params.get("strength") in Strength else "",
        "overdue": params.get("overdue") == "1",
        "sort": params.get("sort", "") if params.get("sort") in queries.SORTS else "name",
    }
    today = _today(request)
    contacts = queries.search_contacts(request.user, today=today, **filters)
    paginator = Paginator(contacts.values_list(*queries.LIST_COLUMNS), PAGE_SIZE)
    page = paginator.get_page(params.get("page"))
    page.object_list = _list_rows(list(page.object_list), today)
    query = params.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "filtering": any(v for k, v in filters.items() if k != "sort"),
        "query_string": query.urlencode(),
        "sorts": [(key, label) for key, (label, _) in queries.SORTS.items()],
        "strengths": Strength.choices,
        "nav": "contacts",
    }
    if request.htmx and request.htmx.target == "contact-results":
        return render(request, "network/_contact_results.html", context)
    context["tags"] = queries.tags_with_counts(request.user)
    filtering = context["filtering"]
    context["total"] = access.scope(Contact, request.user).count() if filtering else paginator.count
    return render(request, "network/contact_list.html", context)


@login_required
@require_POST
def bulk_tag(request: AuthedRequest) -> HttpResponse:
    form = BulkTagForm(request.user, request.POST)
    if form.is_valid():
        ids = [c.id for c in form.cleaned_data["contacts"]]
        add = form.cleaned_data["action"] == "add"
        tag = form.cleaned_data["tag"]
        changed = services.tag_contacts(request.user, ids, tag, add=add)
        verb = "Tagged" if add else "Removed the tag from"
        messages.success(request, f"{verb} {changed} contact{'s' * (changed != 1)}: “{tag}”.")
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/contacts/") else reverse("network:list"))


@login_required
def contact_new(request: AuthedRequest) -> HttpResponse:
    initial = ContactForm.initial_from_query(request.GET)
    form = ContactForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        contact = services.create_contact(
            request.user,
            form.to_record(),
            timezone.now(),
            introduced_by=form.cleaned_data["introduced_by"],
            intro_cap_per_month=form.cleaned_data["intro_cap_per_month"],
        )
        messages.success(request, f"{contact.full_name} is in your contacts.")
        return redirect("timeline:contact", contact_id=contact.id)
    return render(request, "network/contact_form.html", {"form": form, "nav": "contacts"})


@login_required
def contact_edit(request: AuthedRequest, contact_id: int) -> HttpResponse:
    contact = _get_contact_for_user(request, contact_id)
    form = ContactForm(
        request.user,
        request.POST or None,
        contact=contact,
        initial=ContactForm.initial_for(contact),
    )
    if request.method == "POST" and form.is_valid():
        services.update_contact(
            contact,
            form.to_record(),
            timezone.now(),
            introduced_by=form.cleaned_data["introduced_by"],
            intro_cap_per_month=form.cleaned_data["intro_cap_per_month"],
        )
        messages.success(request, "Saved.")
        return redirect("timeline:contact", contact_id=contact.id)
    context = {"form": form, "contact": contact, "nav": "contacts"}
    return render(request, "network/contact_form.html", context)


@login_required
def contact_delete(request: AuthedRequest, contact_id: int) -> HttpResponse:
    contact = _get_contact_for_user(request, contact_id)
    if request.method == "POST":
        name = contact.full_name
        services.delete_contact(contact)
        messages.success(request, f"{name} was deleted.")
        return redirect("network:list")
    # A fresh queryset: counting on contact.interactions would only count this contact.
    interactions = Interaction.objects.filter(id__in=contact.interactions.values("id")).annotate(
        people=Count("contacts")
    )
    context = {
        "contact": contact,
        "solo_interactions": interactions.filter(people=1).count(),
        "shared_interactions": interactions.filter(people__gt=1).count(),
        "introduced_count": contact.introduced.count(),
        "nav": "contacts",
    }
    return render(request, "network/contact_delete.html", context)


@login_required
def interaction_new(request: AuthedRequest) -> HttpResponse:
    today = _today(request)
    initial = {}
    if request.method == "GET" and request.GET.get("contact", "").isdigit():
        initial["contacts"] = [_get_contact_for_user(request, int(request.GET["contact"])).id]
    form = InteractionForm(request.user, request.POST or None, today=today, initial=initial)
    if request.method == "POST" and form.is_valid():
        contacts = list(form.cleaned_data["contacts"])
        services.log_interaction(
            request.user,
            kind=form.cleaned_data["kind"],
            occurred_on=form.cleaned_data["occurred_on"],
            notes=form.cleaned_data["notes"],
            contacts=contacts,
            now=timezone.now(),
        )
        names = ", ".join(c.full_name for c in contacts[:3])
        messages.success(request, f"Logged: {form.cleaned_data['kind']} with {names}.")
        back = request.POST.get("next", "")
        if back.startswith("/contacts/"):
            return redirect(back)
        return redirect("timeline:contact", contact_id=contacts[0].id)
    context = {"form": form, "nav": "contacts"}
    return render(request, "network/interaction_form.html", context)


@login_required
@require_POST
def interaction_delete(request: AuthedRequest, interaction_id: int) -> HttpResponse:
    interaction = _get_interaction_for_user(request, interaction_id)
    services.delete_interaction(interaction)
    messages.success(request, "The interaction was deleted.")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/contacts/") else reverse("network:list"))


@login_required
def pick(request: AuthedRequest) -> HttpResponse:
    """Search results for the contact picker: a handful of matches as choices."""
    q = request.GET.get("q", "").strip()[:100]
    name = request.GET.get("name", "contacts")
    contacts: list[Contact] = []
    if q:
        found = queries.search_contacts(request.user, today=_today(request), q=q).only(
            "id", "full_name", "company", "title"
        )
        exclude = request.GET.get("exclude", "")
        if exclude.isdigit():
            found = found.exclude(id=int(exclude))
        contacts = list(found[:10])
    context = {
        "contacts": contacts,
        "q": q,
        "name": name if name.isidentifier() else "contacts",
        "multiple": request.GET.get("multiple") == "1",
    }
    return render(request, "network/_pick_results.html", context)


@login_required
def duplicates(request: AuthedRequest) -> HttpResponse:
    groups = queries.duplicate_groups(request.user)
    return render(request, "network/duplicates.html", {"groups": groups, "nav": "contacts"})


@login_required
def merge(request: AuthedRequest) -> HttpResponse:
    keep_id, other_id = request.GET.get("keep", ""), request.GET.get("other", "")
    if not (keep_id.isdigit() and other_id.isdigit()) or keep_id == other_id:
        messages.error(request, "Choose two different contacts to merge.")
        return redirect("network:duplicates")
    keep = _get_contact_for_user(request, int(keep_id))
    other = _get_contact_for_user(request, int(other_id))
    conflicts = merging.merge_conflicts(keep, other)
    form = MergeForm(keep, other, conflicts, request.POST or None)
    if request.method == "POST" and form.is_valid():
        merging.merge_contacts(keep, other, form.take_from_other(), timezone.now())
        messages.success(request, f"Merged into {keep.full_name}; nothing was lost.")
        return redirect("timeline:contact", contact_id=keep.id)
    context = {
        "keep": keep,
        "other": other,
        "form": form,
        "keep_emails": list(keep.emails.all()),
        "other_emails": list(other.emails.all()),
        "keep_interactions": keep.interactions.count(),
        "other_interactions": other.interactions.count(),
        "nav": "contacts",
    }
    return render(request, "network/merge.html", context)


@login_required
@require_POST
def not_duplicates(request: AuthedRequest) -> HttpResponse:
    ids = sorted({int(i) for i in request.POST.getlist("contact") if i.isdigit()})
    contacts = list(access.scope(Contact, request.user).filter(id__in=ids))
    if len(contacts) < 2 or len(contacts) != len(ids):
        messages.error(request, "Choose at least two of your contacts.")
        return redirect("network:duplicates")
    merging.mark_not_duplicates(request.user, contacts)
    messages.success(request, "Got it: they will not be suggested as duplicates again.")
    return redirect("network:duplicates")

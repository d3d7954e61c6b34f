import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from introloop.accounts.requests import AuthedRequest

from .forms import DeleteAccountForm
from .services import delete_user, export_user_data


@login_required
def export_page(request: AuthedRequest) -> HttpResponse:
    return render(request, "portability/export.html", {"section": "data"})


@login_required
def export_download(request: AuthedRequest) -> HttpResponse:
    now = timezone.now()
    data = export_user_data(request.user, now)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    filename = f"introloop-export-{now:%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def delete_account(request: AuthedRequest) -> HttpResponse:
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        delete_user(request.user)
        logout(request)
        messages.success(request, "Your account and all your data were deleted. Goodbye!")
        return redirect("accounts:login")
    return render(request, "portability/delete.html", {"form": form, "section": "data"})

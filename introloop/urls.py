from django.conf import settings
from django.urls import include, path

from . import pwa, views
from .api.api import api
from .capture import webhook
from .reminders import views as reminder_views

urlpatterns = [
    path("", views.home, name="home"),
    path("today/", reminder_views.today, name="today"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("share/", pwa.share, name="share"),
    path("", include("introloop.accounts.urls")),
    path("", include("introloop.network.urls")),
    path("", include("introloop.timeline.urls")),
    path("", include("introloop.search.urls")),
    path("", include("introloop.intros.urls")),
    path("", include("introloop.reminders.urls")),
    path("", include("introloop.goals.urls")),
    path("", include("introloop.capture.urls")),
    path("", include("introloop.portability.urls")),
    path("", include("introloop.outbox.urls")),
    path("", include("introloop.ops.urls")),
    path("api/v1/", api.urls),
]

if settings.CAPTURE_WEBHOOK_SECRET:
    # A mail provider's inbound webhook: POST-only, for the provider, behind basic auth.
    urlpatterns.append(path("capture/webhooks/", include((webhook.urlpatterns(), "anymail"))))

handler400 = "introloop.views.bad_request"
handler403 = "introloop.views.permission_denied"
handler404 = "introloop.views.page_not_found"
handler500 = "introloop.views.server_error"

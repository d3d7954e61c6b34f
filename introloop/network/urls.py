from django.urls import path

from . import import_views, suggest_views, views

app_name = "network"

urlpatterns = [
    path("contacts/", views.contact_list, name="list"),
    path("contacts/new/", views.contact_new, name="new"),
    path("contacts/bulk-tag/", views.bulk_tag, name="bulk_tag"),
    path("contacts/pick/", views.pick, name="pick"),
    path("contacts/suggest/", suggest_views.suggest, name="suggest"),
    path("contacts/duplicates/", views.duplicates, name="duplicates"),
    path("contacts/duplicates/merge/", views.merge, name="merge"),
    path("contacts/duplicates/dismiss/", views.not_duplicates, name="not_duplicates"),
    path("contacts/interactions/new/", views.interaction_new, name="interaction_new"),
    path(
        "contacts/interactions/<int:interaction_id>/delete/",
        views.interaction_delete,
        name="interaction_delete",
    ),
    path("contacts/import/", import_views.import_start, name="import"),
    path("contacts/import/<int:upload_id>/", import_views.import_preview, name="import_preview"),
    path(
        "contacts/import/<int:upload_id>/commit/",
        import_views.import_commit,
        name="import_commit",
    ),
    path(
        "contacts/import/<int:upload_id>/cancel/",
        import_views.import_cancel,
        name="import_cancel",
    ),
    path("contacts/import/jobs/<int:job_id>/", import_views.import_job, name="import_job"),
    path(
        "contacts/import/jobs/<int:job_id>/cancel/",
        import_views.import_job_cancel,
        name="import_job_cancel",
    ),
    path("contacts/export/contacts.<str:fmt>", import_views.export_contacts, name="export"),
    path("contacts/<int:contact_id>/edit/", views.contact_edit, name="edit"),
    path("contacts/<int:contact_id>/delete/", views.contact_delete, name="delete"),
]

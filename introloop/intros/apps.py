from django.apps import AppConfig


class IntrosConfig(AppConfig):
    name = "introloop.intros"
    label = "intros"
    verbose_name = "Introductions"

    def ready(self) -> None:
        from introloop.network.queries import TIMELINE_SOURCES

        from . import receivers  # noqa: F401 - connects signal receivers
        from .queries import contact_timeline

        TIMELINE_SOURCES.append(contact_timeline)

from django.apps import AppConfig


class IntrosConfig(AppConfig):
    name = "introloop.intros"
    label = "intros"
    verbose_name = "Introductions"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects signal receivers

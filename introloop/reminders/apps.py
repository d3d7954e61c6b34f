from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "introloop.reminders"
    label = "reminders"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects signal receivers

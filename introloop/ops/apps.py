from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "introloop.ops"
    label = "ops"

    def ready(self) -> None:
        from .database import connect_signals

        connect_signals()

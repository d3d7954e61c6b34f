from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "introloop.ops"
    label = "ops"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deployment checks
        from .database import connect_signals

        connect_signals()

from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "introloop.capture"
    label = "capture"

    def ready(self) -> None:
        from anymail.signals import inbound

        from .webhook import receive

        # Connected always (cheap); the webhook URLs exist only with CAPTURE_WEBHOOK_SECRET.
        inbound.connect(receive, dispatch_uid="introloop.capture.webhook")

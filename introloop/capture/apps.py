from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "introloop.capture"
    label = "capture"

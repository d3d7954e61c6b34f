from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    name = "introloop.portability"
    label = "portability"

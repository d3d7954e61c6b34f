from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "introloop.outbox"
    label = "outbox"

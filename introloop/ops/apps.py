from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "introloop.ops"
    label = "ops"

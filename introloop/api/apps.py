from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "introloop.api"
    label = "api"

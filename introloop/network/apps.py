from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "introloop.network"
    label = "network"
    verbose_name = "Contacts"

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "introloop.search"
    label = "search"

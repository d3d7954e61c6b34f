from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "introloop.goals"
    label = "goals"

from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "introloop.timeline"
    label = "timeline"

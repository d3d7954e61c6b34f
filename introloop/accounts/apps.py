from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "introloop.accounts"
    label = "accounts"

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Residents' and staff accounts: sign-up, e-mail verification, roles."""

    name = "portal.accounts"
    label = "accounts"

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-in, second factor, invitations, lockouts and sessions, above `compliance`."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import emails, receivers  # noqa: F401

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-in, second factor, invitations, lockouts and sessions, above `compliance`."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from compliance import labels

        from . import emails, receivers  # noqa: F401

        labels.register_values("closed_by", {"usps": "USPS", "provider": "the provider"})
        labels.register_values("second_factor", {
            "totp": "Authenticator app", "recovery_codes": "Recovery codes",
            "webauthn": "Security key"})

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self):
        # The subscribers of what the compliance app publishes (`compliance.changes`).
        from . import schedule, subscribers  # noqa: F401

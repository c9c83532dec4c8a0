from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        # Registers the SQLite MEDIAN aggregate on every new connection.
        from .metrics import expressions  # noqa: F401

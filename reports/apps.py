from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from compliance import labels

        from .forms import LABELS
        from .models import ReportKind, ReportState, ReviewDecision

        labels.register_fields(LABELS)
        labels.register_fields({"resubmission_due_at": "Corrected version due"})
        labels.register_choices(ReportKind, "kind")
        labels.register_choices(ReportState, "state")
        labels.register_choices(ReviewDecision, "decision")

        # Registers the SQLite MEDIAN aggregate on every new connection.
        from .metrics import expressions  # noqa: F401

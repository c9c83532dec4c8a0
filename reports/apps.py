from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from compliance import labels
        from compliance.services.extensions import extended
        from compliance.services.waivers import waived

        from .forms import LABELS
        from .models import ReportKind, ReportState, ReviewDecision
        from .services import emails  # noqa: F401  (the e-mails' builders)
        from .services.flow import after_extension, after_waiver

        labels.register_fields(LABELS)
        labels.register_fields({"resubmission_due_at": "Corrected version due"})
        labels.register_typed("circumstances", "investigative_procedure", "progress",
                              "findings", "root_cause", "corrective_actions", "comment")
        labels.register_choices(ReportKind, "kind")
        labels.register_choices(ReportState, "state")
        labels.register_choices(ReviewDecision, "decision")
        waived.connect(after_waiver, dispatch_uid="reports.after_waiver")
        extended.connect(after_extension, dispatch_uid="reports.after_extension")

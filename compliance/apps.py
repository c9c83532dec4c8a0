from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance register"

    def ready(self):
        # Registers the SQLite MEDIAN aggregate on every new connection.
        from . import aggregates, checks, labels  # noqa: F401
        from .models import (
            ExtensionState,
            ObligationKind,
            ObligationState,
            Outcome,
            ProcedureReview,
            ProceedingKind,
            ProceedingState,
            RevenueRisk,
            Role,
            StepKind,
        )
        from .models.register import (
            ApprovalStatus,
            AuthorizationStatus,
            PESKind,
            Relationship,
        )

        labels.register_fields({
            "due_at": "Due", "original_due_at": "Originally due", "met_at": "Met",
            "usps_visible": "Visible to USPS", "requested_due_at": "Time asked for",
            "sha256": "SHA-256", "pes_models": "Affected PES models",
            "calendar_feed": "Calendar feed", "muted_kinds": "Muted reminders",
            "usps_targets": "USPS targets", "reminder_offsets_hours": "Reminders (hours)",
            "proceeding_periods": "Proceeding periods (days)",
        })
        labels.register_choices(ObligationKind, "kind", "muted_kinds")
        labels.register_choices(ObligationState, "state")
        labels.register_choices(ExtensionState, "state")
        labels.register_choices(ProcedureReview, "review_state")
        labels.register_choices(RevenueRisk, "revenue_risk")
        labels.register_choices(Role, "role")
        labels.register_choices(AuthorizationStatus, "authorization_status")
        labels.register_choices(Relationship, "relationship")
        labels.register_choices(PESKind, "kind")
        labels.register_choices(ApprovalStatus, "approval_status")
        labels.register_choices(ProceedingState, "state")
        labels.register_choices(StepKind, "step_kind")
        labels.register_choices(ProceedingKind)
        labels.register_choices(Outcome, "outcome")

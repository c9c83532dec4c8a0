from django.db import models

from compliance.models import ObligationKind


class ReportKind(models.TextChoices):
    """The three § 501.11(c) reports a provider owes on a case."""

    WRITTEN = "written", "Written report"
    STATUS = "status", "Status report"
    FINAL = "final", "Final summary"


class ReportState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned"


class ReviewDecision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned"


# The content each kind carries, in the order it is shown and filed.
CONTENT_FIELDS = {
    ReportKind.WRITTEN: ("circumstances", "investigative_procedure",
                         "anticipated_completion_date"),
    ReportKind.STATUS: ("progress", "anticipated_completion_date"),
    ReportKind.FINAL: ("findings", "root_cause", "corrective_actions"),
}
ALL_CONTENT_FIELDS = ("circumstances", "investigative_procedure", "progress",
                      "anticipated_completion_date", "findings", "root_cause",
                      "corrective_actions")

# The obligation a report of each kind meets.
OBLIGATION_KIND = {
    ReportKind.WRITTEN: ObligationKind.WRITTEN_REPORT,
    ReportKind.STATUS: ObligationKind.STATUS_REPORT,
    ReportKind.FINAL: ObligationKind.FINAL_SUMMARY,
}

# The letters of a report's reference: PES-2026-00042-WR1, -SR3, -FS1.
REFERENCE_CODES = {
    ReportKind.WRITTEN: "WR",
    ReportKind.STATUS: "SR",
    ReportKind.FINAL: "FS",
}

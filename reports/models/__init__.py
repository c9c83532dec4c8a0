from .choices import (
    ALL_CONTENT_FIELDS,
    CONTENT_FIELDS,
    OBLIGATION_KIND,
    REFERENCE_CODES,
    ReportKind,
    ReportState,
    ReviewDecision,
)
from .report import Report, ReportSubmissionKey
from .versions import ReportReview, ReportVersion

__all__ = [
    "ALL_CONTENT_FIELDS",
    "CONTENT_FIELDS",
    "OBLIGATION_KIND",
    "REFERENCE_CODES",
    "Report",
    "ReportKind",
    "ReportReview",
    "ReportState",
    "ReportSubmissionKey",
    "ReportVersion",
    "ReviewDecision",
]

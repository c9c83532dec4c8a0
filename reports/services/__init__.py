"""State changes of reports. Each is atomic, locks the incident then the report, writes
its audit event in the same transaction; e-mails leave after commit."""

from .filing import (
    create_report_draft,
    file_report,
    kinds_fileable,
    report_digest,
    submit_report,
    update_report_draft,
)
from .review import accept_report, close_case, return_report, returnable

__all__ = [
    "accept_report",
    "close_case",
    "create_report_draft",
    "file_report",
    "kinds_fileable",
    "report_digest",
    "return_report",
    "returnable",
    "submit_report",
    "update_report_draft",
]

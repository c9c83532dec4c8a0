from .browse import (
    attachment_download,
    incident_detail,
    incident_list,
    incident_timeline_csv,
    incident_versions,
)
from .filing import amend, edit_draft, report_discovery, submit, upload_attachment
from .review import assign, bulk_assign, close, comment, review_queue, triage

__all__ = [
    "amend",
    "assign",
    "bulk_assign",
    "close",
    "attachment_download",
    "comment",
    "edit_draft",
    "incident_detail",
    "incident_list",
    "incident_timeline_csv",
    "incident_versions",
    "report_discovery",
    "review_queue",
    "submit",
    "triage",
    "upload_attachment",
]

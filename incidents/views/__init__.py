from .browse import attachment_download, incident_detail, incident_list, incident_versions
from .filing import amend, edit_draft, report_discovery, submit, upload_attachment

__all__ = [
    "amend",
    "attachment_download",
    "edit_draft",
    "incident_detail",
    "incident_list",
    "incident_versions",
    "report_discovery",
    "submit",
    "upload_attachment",
]

"""State changes of incidents. Each is atomic, locks what it changes and writes its audit
event in the same transaction; e-mails leave after commit."""

from .attachments import add_attachment
from .drafts import create_draft, update_draft
from .errors import AttachmentTooLarge, StateConflict
from .filing import amend_incident, submit_incident

__all__ = [
    "AttachmentTooLarge",
    "StateConflict",
    "add_attachment",
    "amend_incident",
    "create_draft",
    "submit_incident",
    "update_draft",
]

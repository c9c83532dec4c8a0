"""State changes of incidents. Each is atomic, locks what it changes and writes its audit
event in the same transaction; e-mails leave after commit."""

from .attachments import add_attachment
from .comments import add_comment, may_comment
from .drafts import create_draft, update_draft
from .filing import amend_incident, submit_incident
from .triage import assign_reviewer, assign_reviewers, triage_incident

__all__ = [
    "add_attachment",
    "add_comment",
    "amend_incident",
    "assign_reviewer",
    "assign_reviewers",
    "create_draft",
    "may_comment",
    "submit_incident",
    "triage_incident",
    "update_draft",
]

"""The filed form of a report: its document, frozen and hashed like a notification's
(`compliance.canonical`), so a report receipt is checked exactly like a filing receipt."""

from compliance.canonical import utc_iso

FORMAT = "pes-report-filing/1"


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def content_of(report):
    """What the provider states in the report: this kind's fields as plain JSON values."""
    return {name: _plain(getattr(report, name)) for name in report.content_fields}


def report_document(report, *, number, submitted_by, submitted_at, previous=None):
    """The whole filed version: metadata of the filing plus the content. A resubmission
    names the hash of the version it corrects, so the versions form a chain."""
    return {
        "format": FORMAT,
        "reference": report.reference,
        "incident": report.incident.reference,
        "kind": report.kind,
        "version": number,
        "submitted_at": utc_iso(submitted_at),
        "submitted_by": submitted_by.username,
        "previous_sha256": previous.sha256 if previous else None,
        "content": content_of(report),
    }

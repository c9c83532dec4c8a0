from django.core.exceptions import ValidationError


class StateConflict(Exception):
    """The incident's state forbids the change, e.g. editing a filed notification (409)."""


class AttachmentTooLarge(ValidationError):
    """The upload is above `settings.ATTACHMENT_MAX_BYTES` (413)."""

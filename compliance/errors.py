"""The refusals a service may raise, for the whole product, and what each means in HTTP.

Services raise these; the API's exception handler (`compliance.api.exceptions`) and the
pages' form helper (`compliance.forms.refuse_on_form`) turn them into answers, so no view
maps them itself:

- `django.core.exceptions.ValidationError` — the input is invalid: 400, with DRF's
  `{"field": ["message"]}` body (a message without a field goes under
  `non_field_errors`).
- `Conflict` — the input may be fine, but the object's state forbids the change (a filed
  notification is not edited, a decided request is not decided again): 409,
  `{"detail": "message"}`.
- `TooLarge` — the request or the upload is larger than the product accepts: 413,
  `{"detail": "message"}`.
- `django.core.exceptions.PermissionDenied` — the role may not do this: 403. Objects
  outside the caller's reach are never refused: they are not found (404).
"""

from django.core.exceptions import ValidationError


class Conflict(Exception):
    """The object's state forbids this change (HTTP 409). The message says why, in words
    the caller can act on."""

    status_code = 409

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class TooLarge(Exception):
    """The request or the upload is larger than accepted (HTTP 413)."""

    status_code = 413

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field

    @classmethod
    def upload(cls, size, limit, field="file"):
        """The refusal of an upload of `size` bytes when `limit` bytes are accepted."""
        size_text = f"{size:,} bytes" if size is not None else "larger than that"
        return cls(f"The file is {size_text}; at most {limit:,} bytes "
                   f"({limit / 1048576:g} MB) are accepted.", field=field)


# What a page catches around a service call to show the refusal on its form.
REFUSALS = (ValidationError, Conflict, TooLarge)

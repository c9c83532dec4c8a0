"""Adding files to incidents."""

import hashlib
import unicodedata
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.errors import TooLarge
from compliance.services import record_event
from compliance.uploads import max_upload_bytes
from incidents.models import Attachment, Incident

from .access import require_officer
from .filetypes import detect_content_type

HEAD_BYTES = 64 * 1024
max_attachment_bytes = max_upload_bytes


def clean_name(name):
    """The uploader's file name, reduced to a printable base name (for display only)."""
    base = PurePath(str(name).replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:255] or "attachment"


def _read_head_and_hash(uploaded_file):
    digest = hashlib.sha256()
    head = b""
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        digest.update(chunk)
    uploaded_file.seek(0)
    return head, digest.hexdigest()


@transaction.atomic
def add_attachment(*, actor, incident, uploaded_file):
    """Store a file on a draft or filed incident under a random name, with its size and
    SHA-256. Too large: TooLarge; not an accepted kind: ValidationError."""
    require_officer(actor, incident.provider_id)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    limit = max_attachment_bytes()
    if uploaded_file.size > limit:
        raise TooLarge.upload(uploaded_file.size, limit)
    if uploaded_file.size == 0:
        raise ValidationError({"file": ["The file is empty."]})
    name = clean_name(uploaded_file.name)
    head, sha256 = _read_head_and_hash(uploaded_file)
    content_type = detect_content_type(head, name)
    now = timezone.now()
    attachment = Attachment(incident=incident, name=name, content_type=content_type,
                            size=uploaded_file.size, sha256=sha256, uploaded_by=actor,
                            uploaded_at=now)
    attachment.file.save("upload", uploaded_file, save=False)
    attachment.save()
    record_event(actor=actor, obj=incident, action="incident.attachment_added", at=now,
                 changes={"attachment": [None, name], "sha256": [None, sha256]})
    return attachment

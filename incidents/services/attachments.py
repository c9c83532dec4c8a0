"""Adding files to incidents."""

from django.db import transaction
from django.utils import timezone

from compliance.errors import Conflict
from compliance.services import record_event
from compliance.uploads import check_upload
from incidents.models import Attachment, Incident, IncidentStatus

from .access import require_officer, require_officer_now


@transaction.atomic
def add_attachment(*, actor, incident, uploaded_file):
    """Store a file on a draft or filed incident (not a closed one: Conflict) under a
    random name, with its size and SHA-256. Too large: TooLarge; not an accepted kind:
    ValidationError."""
    require_officer(actor, incident.provider_id)
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    require_officer_now(actor, incident.provider_id)
    if incident.status == IncidentStatus.CLOSED:
        raise Conflict("The case is closed: no more files are added to it.")
    name, content_type, sha256 = check_upload(uploaded_file)
    now = timezone.now()
    attachment = Attachment(incident=incident, name=name, content_type=content_type,
                            size=uploaded_file.size, sha256=sha256, uploaded_by=actor,
                            uploaded_at=now)
    attachment.file.save("upload", uploaded_file, save=False)
    attachment.save()
    record_event(actor=actor, obj=incident, action="incident.attachment_added", at=now,
                 changes={"attachment": [None, name], "sha256": [None, sha256]})
    return attachment

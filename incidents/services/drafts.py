"""Creating and editing drafts: private to the provider until submitted."""

from django.db import transaction
from django.utils import timezone

from compliance.canonical import canonical_json, changes_between, sha256_of
from compliance.deadlines import notification_due_at
from compliance.display import display_time
from compliance.errors import Conflict
from compliance.models import ObligationKind
from compliance.services import correct_unfiled_obligation, open_obligation, record_event
from compliance.services.chain import appended_at_end
from incidents.models import Incident, IncidentStatus

from .access import require_officer, require_officer_now
from .canonical import content_of, stated
from .content import apply_relations, apply_scalars, notification_obligation
from .validation import current_values, validate_content


@transaction.atomic
def create_draft(*, actor, **values):
    """Create a draft incident of the officer's provider and open its 24-hour notification
    duty (hidden from USPS until filing), due 24 elapsed hours after discovery."""
    require_officer(actor)
    # The provider the request read them at: moved meanwhile, they are refused, and a
    # discovery is never drafted as another provider's case.
    require_officer_now(actor, actor.provider_id)
    provider = actor.provider
    now = timezone.now()
    values = validate_content(provider=provider, values=values, now=now)
    incident = Incident(provider=provider, status=IncidentStatus.DRAFT, created_by=actor,
                        created_at=now, updated_at=now)
    apply_scalars(incident, values)
    incident.notification_due_at = notification_due_at(incident.discovered_at)
    with appended_at_end():
        incident.save()
        apply_relations(incident, values, new=True)
        open_obligation(actor=actor, kind=ObligationKind.NOTIFICATION, provider=provider,
                        subject=incident.title, due_at=incident.notification_due_at,
                        incident_id=incident.pk, usps_visible=False)
        record_event(actor=actor, obj=incident, action="incident.draft_created", at=now,
                     changes={"title": [None, incident.title],
                              "category": [None, incident.category]})
    return incident


def draft_digest(incident):
    """A digest of what the draft states (names in the register left out: a rename is no
    change of the draft), for a page to say which state of the draft it shows."""
    return sha256_of(canonical_json(stated(content_of(incident))))[:32]


@transaction.atomic
def update_draft(*, actor, incident, based_on=None, **changes):
    """Change some fields of a draft. A new discovery time moves the notification due time
    (and its unfiled duty); a filed incident is not edited (Conflict). `based_on`: the
    `draft_digest` of the draft the changes were made to (a page posting every field);
    refused (Conflict) once what the draft states has changed since."""
    require_officer(actor, incident.provider_id)
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    require_officer_now(actor, incident.provider_id)
    if not incident.is_draft:
        raise Conflict("This incident has been filed: it is not edited; amend it.")
    changed_since = based_on is not None and draft_digest(incident) != based_on
    saved_at = incident.updated_at
    now = timezone.now()
    before = content_of(incident)
    values = validate_content(provider=incident.provider,
                              values={**current_values(incident), **changes}, now=now)
    apply_scalars(incident, values)
    incident.notification_due_at = notification_due_at(incident.discovered_at)
    incident.updated_at = now
    incident.save()
    apply_relations(incident, values)
    diff = changes_between(before, content_of(incident))
    if changed_since and changes_between(stated(before), stated(content_of(incident))):
        # Saved since the page was filled, and this would change it again: unseen, it
        # would undo what was saved. (The same page sent twice changes nothing more.)
        raise Conflict(f"The draft was saved at {display_time(saved_at)}, with "
                       "changes this page does not show: what you typed is below, not "
                       "saved. Open the draft again to see what changed, then edit it.")
    if diff:
        obligation = notification_obligation(incident)
        if obligation is not None and not obligation.usps_visible:
            correct_unfiled_obligation(actor=actor, obligation=obligation,
                                       due_at=incident.notification_due_at,
                                       subject=incident.title)
        record_event(actor=actor, obj=incident, action="incident.draft_updated",
                     changes=diff, at=now)
    return incident

"""Filing: submission (version 1, reference, receipt) and amendments (version n+1)."""

from datetime import UTC

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.canonical import changes_between, freeze
from compliance.deadlines import is_late
from compliance.display import display_time
from compliance.errors import Conflict
from compliance.models import DeadlinePolicy, Obligation, ObligationKind, User
from compliance.services import fulfil_obligation, open_usps_target, record_event
from compliance.services.chain import appended_at_end
from incidents.models import Incident, IncidentStatus, IncidentVersion

from . import references
from .access import require_officer, require_officer_now
from .canonical import content_of, filing_document, stated
from .content import apply_relations, apply_scalars
from .drafts import draft_digest
from .emails import queue_filing_emails
from .validation import current_values, validate_content

# A closed case's record is complete: its final summary was accepted on what it holds.
CLOSED_CASE = "The case is closed: nothing more is filed on it, amendments included."

# A filed discovery time keeps its 24-hour clock on record; it is not amended.
FIXED_AFTER_FILING = ("discovered_at", "discovery_timezone")

# What submitting a draft writes on it.
FILED_FIELDS = ("reference", "status", "submitted_at", "submitted_by", "is_late",
                "late_reason", "current_version", "updated_at", "title", "discovered_by_name")


def locked_for_filing(incident):
    """The incident read again and locked, with everything its filed document and its
    checks read: provider, affiliate, PES models and risk statements."""
    return (Incident.objects.select_for_update(no_key=True, of=("self",)).with_content()
            .get(pk=incident.pk))


def _freeze(incident, *, number, actor, at, amendment_reason="", previous=None):
    document = filing_document(incident, number=number, submitted_by=actor, submitted_at=at,
                               amendment_reason=amendment_reason)
    text, sha256 = freeze(document)
    changes = _provider_changes(previous.content, document["content"]) if previous else {}
    return IncidentVersion.objects.create(
        incident=incident, number=number, canonical_json=text, sha256=sha256,
        submitted_by=actor, submitted_at=at, amendment_reason=amendment_reason,
        changes=changes,
    )


def _provider_changes(before, after):
    """{field: [before, after]} of the fields the provider changed, as filed (names
    included): a field whose only difference is a rename in the register is not one."""
    return {field: [before.get(field), after.get(field)]
            for field in changes_between(stated(before), stated(after))}


def _late_message(incident, now):
    overdue = now - incident.notification_due_at
    hours = int(overdue.total_seconds() // 3600)
    minutes = int(overdue.total_seconds() % 3600 // 60)
    return (f"This notification is late: it was due at "
            f"{display_time(incident.notification_due_at)}, {hours} h {minutes} min ago. "
            "Give the reason for the delay.")


def submit_incident(*, actor, incident, late_reason="", based_on=None):
    """File a draft: stamp the server time, give the next `PES-<year>-<n>` reference,
    freeze version 1, meet (or meet late) the notification duty and show the case to
    USPS, where it waits for triage (a USPS target). A late filing needs `late_reason`.
    `based_on`: the `draft_digest` of the draft the page showed; refused (Conflict) once a
    colleague has changed what it states, as that would be filed unseen. Returns the
    version (the receipt).

    The reference number is taken into reserve before the filing's transaction, so the
    year's counter is not held while the filing is written (`references`); what is refused
    on sight is refused before."""
    require_officer(actor, incident.provider_id)
    if not incident.is_draft:
        raise Conflict("This incident has already been filed.")
    now = timezone.now()
    with references.reserved_for(now.astimezone(UTC).year) as reservation:
        return _submit(actor=actor, incident=incident, late_reason=late_reason, now=now,
                       reservation=reservation, based_on=based_on)


@transaction.atomic
def _submit(*, actor, incident, late_reason, now, reservation, based_on=None):
    """Everything is read and checked first; then the reference claimed and the filing
    written, its audit events last: the audit chain's lock is held for their insert and the
    commit only."""
    incident = locked_for_filing(incident)
    require_officer_now(actor, incident.provider_id)
    if not incident.is_draft:
        raise Conflict("This incident has already been filed.")
    if based_on is not None and based_on != draft_digest(incident):
        raise Conflict("The draft was changed since this page was opened: nothing was "
                       "filed. Read it as it now stands, then submit it.")
    duties = list(Obligation.objects.select_for_update(no_key=True)
                  .filter(incident_id=incident.pk, kind=ObligationKind.NOTIFICATION)
                  .order_by("id"))
    # The filing's time, taken with the case and its duty held: a sweep that found the
    # duty past due before has marked it missed, and this filing is late by this time.
    now = max(now, timezone.now())
    values = validate_content(provider=incident.provider, values=current_values(incident),
                              now=now, for_filing=True)
    late = is_late(incident.notification_due_at, now)
    late_reason = (late_reason or "").strip()
    if late and not late_reason:
        raise ValidationError({"late_reason": [_late_message(incident, now)]})
    policy = DeadlinePolicy.in_force()
    # What addressing their e-mails reads of them.
    reviewers = list(User.objects.reviewers().only("id", "email", "is_active", "role",
                                                   "provider_id"))
    with appended_at_end():
        incident.reference = reservation.claim()
        # Filed as the content's rules keep it (a draft saved before they kept one-line
        # texts on one line is filed so).
        incident.title, incident.discovered_by_name = (values["title"],
                                                       values["discovered_by_name"])
        incident.status = IncidentStatus.SUBMITTED
        incident.submitted_at = now
        incident.submitted_by = actor
        incident.is_late = late
        incident.late_reason = late_reason if late else ""
        incident.current_version = 1
        incident.updated_at = now
        incident.save(update_fields=FILED_FIELDS)
        version = _freeze(incident, number=1, actor=actor, at=now)
        for obligation in duties:
            fulfil_obligation(actor=actor, obligation=obligation, at=now,
                              subject=incident.reference, show_to_usps=True, locked=True)
        record_event(actor=actor, obj=incident, action="incident.submitted", at=now,
                     reason=incident.late_reason,
                     changes={"status": [IncidentStatus.DRAFT.value, incident.status],
                              "reference": [None, incident.reference],
                              "version": [None, 1], "is_late": [None, late]})
        open_usps_target(actor=actor, kind=ObligationKind.USPS_TRIAGE,
                         provider=incident.provider, subject=incident.label, at=now,
                         object_id=incident.pk, incident_id=incident.pk, filed_late=late,
                         policy=policy)
        queue_filing_emails(incident, version, reviewers=reviewers)
    return version


def _relabel_owed(incident, old_label):
    """What is still owed on the case, and USPS's items on it, named by the case's label
    (its reference and title) read its amended title: the inbox, the duties' lists, the
    calendar and reminders name it as the case page does."""
    owed = (Obligation.objects.outstanding().select_for_update(no_key=True)
            .filter(incident_id=incident.pk).order_by("pk"))
    for duty in owed:
        if duty.subject == old_label or duty.subject.endswith(f": {old_label}"):
            Obligation.objects.filter(pk=duty.pk).update(
                subject=f"{duty.subject[:-len(old_label)]}{incident.label}"[:300])


def _sent_again(actor, incident, latest, based_on, amendment_reason, changes):
    """Whether `latest` is this very amendment sent again (a double click, a retry): the
    version after the one the page showed, by the same officer, for the same reason,
    stating what these changes would. Worked out in a savepoint, rolled back."""
    if not (latest.number == based_on + 1 and latest.submitted_by_id == actor.pk
            and latest.amendment_reason == (amendment_reason or "").strip()):
        return False
    savepoint = transaction.savepoint()
    try:
        trial = Incident.objects.get(pk=incident.pk)
        values = validate_content(provider=trial.provider,
                                  values={**current_values(trial), **changes},
                                  now=timezone.now(), for_filing=True)
        apply_scalars(trial, values)
        apply_relations(trial, values)
        return not changes_between(stated(latest.content), stated(content_of(trial)))
    except ValidationError:
        return False
    finally:
        transaction.savepoint_rollback(savepoint)


@transaction.atomic
def amend_incident(*, actor, incident, amendment_reason, based_on=None, **changes):
    """File version n+1 of a filed incident with the changed fields and the reason; earlier
    versions stay. The discovery time is not amended, and an amendment must change
    something. `based_on`: the version the changes were made to (a page posting every
    field); refused (Conflict) once another has been filed since."""
    require_officer(actor, incident.provider_id)
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    require_officer_now(actor, incident.provider_id)
    if incident.is_draft:
        raise Conflict("A draft is edited, not amended; submit it first.")
    if incident.status == IncidentStatus.CLOSED:
        raise Conflict(CLOSED_CASE)
    if based_on is not None and based_on != incident.current_version:
        latest = incident.versions.get(number=incident.current_version)
        if _sent_again(actor, incident, latest, based_on, amendment_reason, changes):
            return latest
        raise Conflict(f"Version {incident.current_version} was filed since this page was "
                       f"filled from version {based_on}: open the page again to see it, "
                       "then amend.")
    errors = {}
    amendment_reason = (amendment_reason or "").strip()
    if not amendment_reason:
        errors["amendment_reason"] = ["Say why the filing is amended."]
    for field in FIXED_AFTER_FILING:
        if field in changes and changes[field] != getattr(incident, field):
            errors[field] = ["The discovery time of a filed notification is on record and "
                             "is not amended; explain a correction in the description."]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    previous = incident.versions.get(number=incident.current_version)
    values = validate_content(provider=incident.provider,
                              values={**current_values(incident), **changes}, now=now,
                              for_filing=True)
    old_label = incident.label
    apply_scalars(incident, values)
    incident.updated_at = now
    apply_relations(incident, values)
    if not changes_between(stated(previous.content), stated(content_of(incident))):
        raise ValidationError({"non_field_errors": [
            "Nothing changed: an amendment must change at least one field."]})
    incident.current_version += 1
    incident.save()
    if incident.label != old_label:
        _relabel_owed(incident, old_label)
    version = _freeze(incident, number=incident.current_version, actor=actor, at=now,
                      amendment_reason=amendment_reason, previous=previous)
    record_event(actor=actor, obj=incident, action="incident.amended", at=now,
                 reason=amendment_reason,
                 changes={"version": [previous.number, version.number], **version.changes})
    queue_filing_emails(incident, version)
    return version

"""Internal reporting procedures, § 501.11(d): versions filed by officers, reviewed by USPS.

The `procedures` obligation follows these rules:

- A provider with no accepted copy owes one. Registration opens the duty, due by the end
  of the day `PROCEDURES_DUE_DAYS` (settings, default 30) days later in the provider's
  time zone; `ensure_procedures_obligations` opens it for providers registered before
  this existed (idempotent).
- Filing a version meets the outstanding duty (on time or late): the provider's part is to
  give USPS a copy. The review is USPS's work, clocked by its own target
  (`usps_procedures_review`), met when USPS accepts the version or asks for changes; how
  long USPS takes never makes the provider late.
- Uploading a new version while an accepted copy is on file opens nothing: the accepted
  copy stays current until USPS decides on the new one.
- USPS asking for changes on a version opens the duty again (due `due_at`, or by the end
  of the day `PROCEDURES_DUE_DAYS` days later in the provider's time zone) when none is
  outstanding: a revised copy is owed. An earlier accepted version stays on file meanwhile.
  A later version already filed (waiting on USPS, or accepted) is that revised copy:
  changes asked on an older one then open nothing; accepting an older version leaves the
  revision owed for changes asked on a later one.
- Accepting a version supersedes the earlier ones still waiting: USPS's targets to review
  them close (USPS may still review them; nothing waits on it).

The file is checked on its content (`compliance.uploads.check_upload`, as for attachments)
and stored under a random name with its size and SHA-256. Uploads and reviews are
published (`procedures.uploaded`, `procedures.reviewed`); the notifications app e-mails
the USPS reviewers and the provider's officers after commit.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from compliance.changes import publish
from compliance.deadlines import days_later_end_of_day
from compliance.errors import Conflict
from compliance.models import (
    Obligation,
    ObligationKind,
    ObligationState,
    ProcedureDocument,
    ProcedureReview,
    Provider,
)
from compliance.uploads import check_upload
from compliance.window import check_date, check_datetime

from .audit import record_event
from .chain import appended_at_end
from .extensions import settle_met
from .obligations import close_obligation, fulfil_obligation, open_obligation
from .targets import hold_usps_target, meet_usps_target, open_usps_target
from .users import hold_actor

UPLOADED = "procedures.uploaded"
REVIEWED = "procedures.reviewed"


def procedures_due_days():
    return getattr(settings, "PROCEDURES_DUE_DAYS", 30)


def procedures_subject(name, version=None):
    """The subject of a provider's procedures duty, or of USPS's target to review its
    version `version`."""
    if version is None:
        return f"Internal reporting procedures of {name}"
    return f"Internal reporting procedures v{version} of {name}"


def _subject(provider):
    return procedures_subject(provider.name)


def _outstanding_duty(provider):
    return (Obligation.objects.outstanding()
            .filter(provider=provider, kind=ObligationKind.PROCEDURES).first())


def default_procedures_due(provider, now):
    """`PROCEDURES_DUE_DAYS` days from now, by the end of that day in the provider's zone."""
    return days_later_end_of_day(now, procedures_due_days(), provider.timezone)


def open_procedures_obligation(*, actor, provider, due_at=None):
    """Open the provider's `procedures` duty unless one is already owed; returns it."""
    existing = _outstanding_duty(provider)
    if existing is not None:
        return existing
    due_at = due_at or default_procedures_due(provider, timezone.now())
    return open_obligation(actor=actor, kind=ObligationKind.PROCEDURES, provider=provider,
                           subject=_subject(provider), due_at=due_at)


@transaction.atomic
def ensure_procedures_obligations(*, actor=None):
    """For every provider with no accepted copy and no `procedures` duty ever recorded,
    open one. A duty USPS waived or one already met is left alone. Returns how many."""
    providers = (Provider.objects
                 .exclude(procedure_documents__review_state=ProcedureReview.ACCEPTED)
                 .exclude(obligations__kind=ObligationKind.PROCEDURES)
                 .order_by("pk"))
    opened = 0
    for provider in providers:
        open_procedures_obligation(actor=actor, provider=provider)
        opened += 1
    return opened


@transaction.atomic
@appended_at_end()
def upload_procedures(*, actor, provider, uploaded_file, effective_date,
                      summary_of_changes=""):
    """File the next version of the provider's procedures (an officer of that provider).
    The first version may go without a summary of changes; later ones need it. The file
    is checked on its content: TooLarge (413) or ValidationError (400) otherwise."""
    if not (actor.is_provider_officer and actor.provider_id == provider.pk):
        # Refused before the file is read.
        raise PermissionDenied("Only the provider's compliance officers file its procedures.")
    if effective_date is None:
        raise ValidationError({"effective_date": ["Say from when these procedures apply."]})
    check_date(effective_date, "effective_date")
    original_name, content_type, sha256 = check_upload(uploaded_file)
    # Locking the provider serializes version numbers per provider.
    provider = Provider.objects.select_for_update(no_key=True).get(pk=provider.pk)
    hold_actor(actor)  # as they are now: a closed account, a move, is refused
    if not (actor.is_provider_officer and actor.provider_id == provider.pk):
        raise PermissionDenied("Only the provider's compliance officers file its procedures.")
    last = provider.procedure_documents.aggregate(v=Max("version"))["v"] or 0
    summary = (summary_of_changes or "").strip()
    if last and not summary:
        raise ValidationError({"summary_of_changes": [
            f"Say what changed since version {last}."]})
    # The duty held before the filing's time is taken: a sweep that finds it past due
    # meanwhile either marked it missed before (and this filing is late) or waits.
    duty = (Obligation.objects.outstanding().select_for_update(no_key=True)
            .filter(provider=provider, kind=ObligationKind.PROCEDURES).first())
    now = timezone.now()
    document = ProcedureDocument(
        provider=provider, version=last + 1, original_name=original_name[:255],
        size=uploaded_file.size, sha256=sha256, content_type=content_type,
        effective_date=effective_date, summary_of_changes=summary, uploaded_by=actor,
        uploaded_at=now)
    document.file.save("upload", uploaded_file, save=False)
    document.save()
    record_event(actor=actor, obj=document, action="procedures.uploaded", at=now,
                 changes={"version": [None, document.version],
                          "sha256": [None, document.sha256],
                          "effective_date": [None, effective_date.isoformat()]})
    if duty is not None:
        duty = fulfil_obligation(actor=actor, obligation=duty, at=now, locked=True)
        settle_met(duty=duty, at=now)
    open_usps_target(
        actor=actor, kind=ObligationKind.USPS_PROCEDURES_REVIEW, provider=provider,
        subject=procedures_subject(provider.name, document.version),
        at=now, object_id=document.pk,
        filed_late=duty is not None and duty.state == ObligationState.LATE)
    publish(UPLOADED, document=document.pk)
    return document


def _lock_pending(actor, document):
    if not actor.is_usps:
        raise PermissionDenied("Only USPS staff review internal reporting procedures.")
    # The provider's row is locked with the version (as an upload locks it first): every
    # review and upload of one provider's procedures runs in turn, so two reviews closing
    # each other's earlier versions' targets never wait on each other.
    document = (ProcedureDocument.objects.select_for_update(no_key=True, of=("self", "provider"))
                .select_related("provider").get(pk=document.pk))
    if not hold_actor(actor).is_usps:  # as they are now: a closed account is refused
        raise PermissionDenied("Only USPS staff review internal reporting procedures.")
    if document.review_state != ProcedureReview.PENDING:
        raise Conflict(
            f"Version {document.version} was already reviewed "
            f"({document.get_review_state_display().lower()}).")
    hold_usps_target(ObligationKind.USPS_PROCEDURES_REVIEW, document.pk)
    return document


def _review(actor, document, state, comment, now):
    meet_usps_target(actor=actor, kind=ObligationKind.USPS_PROCEDURES_REVIEW,
                     object_id=document.pk, at=now)
    document.review_state = state
    document.reviewed_by = actor
    document.reviewed_at = now
    document.review_comment = comment
    document.save(update_fields=["review_state", "reviewed_by", "reviewed_at",
                                 "review_comment"])
    record_event(actor=actor, obj=document, action=f"procedures.{state}", at=now,
                 changes={"review_state": [ProcedureReview.PENDING.value, state]},
                 reason=comment)
    publish(REVIEWED, document=document.pk)


@transaction.atomic
@appended_at_end()
def accept_procedures(*, actor, document, comment=""):
    """USPS accepts a version: it is the copy on file. A `procedures` duty still owed that
    this version answers (opened after it was filed, for a provider with no duty before)
    is met as of when it was filed, or opened; one opened by changes USPS asked on a later
    version is that later version's, and stays owed. Earlier versions still waiting are
    superseded: USPS's targets to review them close."""
    document = _lock_pending(actor, document)
    now = timezone.now()
    _review(actor, document, ProcedureReview.ACCEPTED.value, (comment or "").strip(), now)
    provider = document.provider
    duty = _outstanding_duty(provider)
    changes_asked_later = provider.procedure_documents.filter(
        version__gt=document.version, review_state=ProcedureReview.CHANGES_REQUESTED)
    if duty is not None and not changes_asked_later.exists():
        fulfil_obligation(actor=actor, obligation=duty,
                          at=max(document.uploaded_at, duty.created_at))
        settle_met(duty=duty, at=now)
    superseded = provider.procedure_documents.filter(
        version__lt=document.version, review_state=ProcedureReview.PENDING).values("pk")
    for target in (Obligation.objects.usps_targets().outstanding()
                   .filter(kind=ObligationKind.USPS_PROCEDURES_REVIEW,
                           object_id__in=superseded).order_by("id")):
        close_obligation(actor=actor, obligation=target,
                         reason=f"Version {document.version}, filed after it, is accepted.")
    return document


@transaction.atomic
@appended_at_end()
def request_procedure_changes(*, actor, document, comment, due_at=None):
    """USPS asks for changes to a version, saying what; a revised copy is owed again
    (due `due_at`, or `PROCEDURES_DUE_DAYS` days from now) unless a later version is
    already filed."""
    if not actor.is_usps:
        raise PermissionDenied("Only USPS staff review internal reporting procedures.")
    if not (comment or "").strip():
        raise ValidationError({"comment": ["Say what must change."]})
    check_datetime(due_at, "due_at")
    document = _lock_pending(actor, document)
    now = timezone.now()
    if due_at is not None and due_at <= now:
        raise ValidationError({"due_at": ["Give a time in the future."]})
    _review(actor, document, ProcedureReview.CHANGES_REQUESTED.value, comment.strip(), now)
    revised = document.provider.procedure_documents.filter(
        version__gt=document.version,
        review_state__in=[ProcedureReview.PENDING, ProcedureReview.ACCEPTED])
    if not revised.exists():
        open_procedures_obligation(actor=actor, provider=document.provider, due_at=due_at)
    return document

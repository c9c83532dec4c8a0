"""The filed form of a proceeding's step: a document frozen as canonical JSON with its
SHA-256 (`compliance.canonical`, as for filings), and the evidence a proceeding freezes
when it opens."""

from compliance.canonical import changes_between, freeze, utc_iso
from compliance.models import ProceedingStepVersion

FORMAT = "pes-enforcement-step/1"


def obligation_evidence(obligation):
    """A cited duty as the ledger records it now: due and met times, state, reason."""
    return {
        "id": obligation.pk, "kind": obligation.kind, "clause": obligation.clause,
        "subject": obligation.subject, "incident": obligation.incident_id,
        "original_due_at": utc_iso(obligation.original_due_at),
        "due_at": utc_iso(obligation.due_at), "state": obligation.state,
        "met_at": utc_iso(obligation.met_at), "missed_at": utc_iso(obligation.missed_at),
        "waived_reason": obligation.waived_reason,
        "closed_at": utc_iso(obligation.closed_at), "closed_reason": obligation.closed_reason,
    }


def evidence_bundle(obligations, cases, at):
    """What the notice proves the record said at `at`: the cited duties and cases (each
    case with the receipts of its filed versions)."""
    return {"as_of": utc_iso(at),
            "obligations": [obligation_evidence(o) for o in sorted(obligations,
                                                                    key=lambda o: o.pk)],
            "cases": cases}


def step_content(step, period=None, opening=None):
    """What the step says: its text, and what it sets (effective time, outcome, days, the
    period it opens); the first step also carries the proceeding's terms and evidence."""
    content = {
        "body": step.body,
        "outcome": step.outcome or None,
        "days": step.days,
        "effective_at": utc_iso(step.effective_at),
        "brings_status": step.to_status or None,
        "late_reason": step.late_reason or None,
        "period_due_at": utc_iso(period.due_at) if period else None,
    }
    if opening is not None:
        content.update(opening)
    return content


def step_document(step, *, number, content, submitted_by, submitted_at, previous_sha256,
                  amendment_reason=""):
    proceeding = step.proceeding
    return {
        "format": FORMAT,
        "proceeding": proceeding.reference,
        "proceeding_kind": proceeding.kind,
        "section": proceeding.section,
        "provider": {"id": proceeding.provider_id, "name": proceeding.provider.name},
        "pes_models": [{"id": m.pk, "name": m.name}
                       for m in sorted(proceeding.pes_models.all(), key=lambda m: m.pk)],
        "step": step.number,
        "kind": step.kind,
        "side": step.side,
        "version": number,
        "issued_at": utc_iso(submitted_at),
        "issued_by": submitted_by.username if submitted_by else None,
        "amendment_reason": amendment_reason,
        "previous_sha256": previous_sha256,
        "content": content,
    }


def freeze_version(step, *, content, actor, at, previous_sha256, previous=None,
                   amendment_reason=""):
    """Store version n (1, or the one after `previous`) of the step's document."""
    number = previous.number + 1 if previous else 1
    document = step_document(step, number=number, content=content, submitted_by=actor,
                             submitted_at=at, previous_sha256=previous_sha256,
                             amendment_reason=amendment_reason)
    text, sha256 = freeze(document)
    return ProceedingStepVersion.objects.create(
        step=step, number=number, canonical_json=text, sha256=sha256, submitted_by=actor,
        submitted_at=at, amendment_reason=amendment_reason,
        changes=changes_between(previous.content, content) if previous else {})

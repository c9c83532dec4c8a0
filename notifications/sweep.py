"""The deadline sweep: one pass finds what has come due through two partial indexes.

1. Open obligations past `due_at` become missed (index `obligation_open_due`).
2. Obligations whose `next_action_at` has come get their reminder or escalation e-mails
   written as rows with a unique key (obligation, step, recipient), before any is sent
   (index `obligation_next_action`). Rows are claimed with `skip_locked`, so two sweeps
   running at once split the work instead of repeating it.
3. Proceedings' changes of a provider's authorization status take effect on their dates
   (indexes `proceeding_suspension_end` and `step_status_due`).
The worker sends them after commit, draining the outbox (`services.send_due_emails`); each
e-mail is rendered then, from the obligation as it is at that attempt.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from compliance.deadlines import steps_due
from compliance.enforcement.services import end_due_suspensions
from compliance.enforcement.status import apply_due_status_changes
from compliance.models import AuditEvent, DeadlinePolicy, Heartbeat, Obligation, ObligationState
from compliance.models.obligations import OUTSTANDING_STATES, USPS_KINDS
from compliance.services.chain import append_events

from .bulk import insert_emails, mark_missed_postgresql, set_sweep_cursor
from .recipients import RecipientBook

BATCH = 500
MISSED_REASON = "Not met by its due time."
REMINDER = "obligation_reminder"
# A USPS target's reminder speaks to USPS about its own work, never to a provider.
USPS_REMINDER_TEMPLATE = "usps_target_reminder"


@dataclass
class SweepResult:
    missed: int = 0
    obligations_stepped: int = 0
    emails_queued: int = 0
    suspensions_ended: int = 0
    status_changes: int = 0

    def __str__(self):
        return (f"{self.missed} obligation(s) marked missed, {self.obligations_stepped} "
                f"reminder step(s) handled, {self.emails_queued} e-mail(s) queued, "
                f"{self.suspensions_ended} suspension(s) ended, {self.status_changes} "
                "authorization status change(s) applied")


def mark_missed(now, batch=BATCH):
    """Open obligations whose due time has passed become missed, each with an audit event."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            due = mark_missed_postgresql(now, batch)
        else:
            due = list(
                Obligation.objects.select_for_update(skip_locked=True)
                .filter(state=ObligationState.OPEN, due_at__lte=now)
                .order_by("due_at")
                .values("id", "provider_id", "incident_id", "subject", "due_at",
                        "usps_visible", "kind")[:batch]
            )
            Obligation.objects.filter(id__in=[o["id"] for o in due],
                                      state=ObligationState.OPEN).update(
                state=ObligationState.MISSED, missed_at=now)
        if not due:
            return 0
        ctype = ContentType.objects.get_for_model(Obligation)
        append_events([
            AuditEvent(at=now, actor=None, provider_id=o["provider_id"], content_type=ctype,
                       object_id=str(o["id"]), object_repr=o["subject"][:300],
                       case_id=o["incident_id"],
                       action=("usps_target.missed" if o["kind"] in USPS_KINDS
                               else "obligation.missed"),
                       usps_only=o["kind"] in USPS_KINDS,
                       changes={"state": ["open", "missed"]},
                       reason=MISSED_REASON,
                       # A draft's missed duty is the provider's alone, like the draft.
                       drafting_stage=not o["usps_visible"])
            for o in sorted(due, key=lambda o: (o["due_at"], o["id"]))
        ])
        return len(due)


def queue_due_steps(now, policy, batch=BATCH):
    """Write the e-mails of every reminder or escalation step that has come due."""
    with transaction.atomic():
        obligations = list(
            Obligation.objects.select_for_update(skip_locked=True)
            .filter(next_action_at__lte=now)
            .order_by("next_action_at")
            .only("id", "kind", "provider_id", "due_at", "state", "steps_done_until",
                  "usps_visible", "reviewer_id")[:batch]
        )
        if not obligations:
            return 0, 0
        book = RecipientBook({o.provider_id for o in obligations})
        emails, cursors = [], []
        for obligation in obligations:
            next_at = None
            if obligation.state in OUTSTANDING_STATES:
                usps_target = obligation.is_usps_target
                steps, next_at = steps_due(
                    obligation.due_at, policy.offsets_for(obligation.kind), policy.escalation,
                    obligation.steps_done_until, now, usps_target=usps_target)
                if steps:
                    # After an outage only the latest step goes out: it supersedes the rest.
                    key, _, audience = steps[-1]
                    emails.extend(
                        (f"obligation:{obligation.pk}:{key}:{user.pk}",
                         USPS_REMINDER_TEMPLATE if usps_target else REMINDER, user.pk,
                         user.email, {}, obligation.pk, key, audience)
                        for user in book.for_step(obligation, audience)
                    )
            cursors.append((obligation.pk, next_at))
        set_sweep_cursor(cursors, now)
        return len(obligations), len(insert_emails(emails, now))


def sweep(now=None, batch=BATCH):
    """One pass of the deadline sweep at `now` (read once). Safe to run concurrently."""
    now = now or timezone.now()
    policy = DeadlinePolicy.in_force()
    result = SweepResult()
    result.missed = mark_missed(now, batch)
    result.obligations_stepped, result.emails_queued = queue_due_steps(now, policy, batch)
    # Proceedings' status changes take effect on their dates: suspensions that have run
    # their course first (their reinstatement is a step), then every change now due.
    result.suspensions_ended = end_due_suspensions(now)
    result.status_changes = apply_due_status_changes(now)
    Heartbeat.record("sweep", now)
    return result

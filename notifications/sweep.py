"""The deadline sweep: one pass finds what has come due through two partial indexes.

1. Open obligations past `due_at` become missed (index `obligation_open_due`), each with
   an audit event.
2. Obligations whose `next_action_at` has come get their reminder or escalation e-mails
   written as rows with a unique key (obligation, step, recipient), before any is sent
   (index `obligation_next_action`).
   Both in one transaction, set-wise: one statement locks the due rows, one writes them,
   one inserts the e-mails, one appends the audit events. Rows are claimed with
   `skip_locked`, so two sweeps running at once split the work instead of repeating it.
3. Proceedings' changes of a provider's authorization status take effect on their dates
   (indexes `proceeding_suspension_end` and `step_status_due`).
The worker sends them after commit, draining the outbox (`services.send_due_emails`); each
e-mail is rendered then, from the obligation as it is at that attempt.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from compliance.deadlines import steps_due
from compliance.enforcement.services import end_due_suspensions
from compliance.enforcement.status import apply_due_status_changes
from compliance.models import AuditEvent, DeadlinePolicy, Heartbeat, Obligation, Role
from compliance.models.obligations import OUTSTANDING_STATES, USPS_KINDS, duty_name
from compliance.services.chain import append_events

from .bulk import claim_due, insert_emails, update_due
from .models import EmailState, OutboundEmail
from .recipients import TO_ASSIGNED, RecipientBook

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


class Due(NamedTuple):
    """An obligation the sweep has locked, as it reads it (`bulk.DUE_COLUMNS`)."""

    id: int
    kind: str
    provider_id: int
    incident_id: int | None
    subject: str
    due_at: datetime
    state: str
    usps_visible: bool
    reviewer_id: int | None
    steps_done_until: datetime | None
    next_action_at: datetime | None

    @classmethod
    def of(cls, row):
        return cls(*(row[name] for name in cls._fields))

    @property
    def is_usps_target(self):
        return self.kind in USPS_KINDS


def missed_event(obligation, now, ctype):
    usps_target = obligation.is_usps_target
    return AuditEvent(
        at=now, actor_id=None, provider_id=obligation.provider_id, content_type_id=ctype.pk,
        # Named as `record_event` names the duty's other events ("Written report for …").
        object_id=str(obligation.id),
        object_repr=duty_name(obligation.kind, obligation.subject)[:300],
        case_id=obligation.incident_id,
        action="usps_target.missed" if usps_target else "obligation.missed",
        usps_only=usps_target, changes={"state": ["open", "missed"]}, reason=MISSED_REASON,
        # A draft's missed duty is the provider's alone, like the draft.
        drafting_stage=not obligation.usps_visible)


def step_emails(obligations, policy, now):
    """(e-mail rows, (id, next_action_at) cursors) of the steps of `obligations` that have
    come due at `now`."""
    if not obligations:
        return [], []
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
                    (f"obligation:{obligation.id}:{key}:{user.pk}",
                     USPS_REMINDER_TEMPLATE if usps_target else REMINDER, user.pk,
                     user.email, {}, obligation.id, key, audience)
                    for user in book.for_step(obligation, audience)
                )
        cursors.append((obligation.id, next_at))
    return emails, cursors


def handle_due(now, policy, batch=BATCH):
    """In one transaction, what has come due at `now`: open obligations past their due time
    become missed, each with an audit event; every reminder or escalation step that has
    come due gets its e-mails written. One write per obligation, one insert of e-mails and
    one append to the audit chain, its last write.

    Returns (obligations missed, obligations stepped, e-mails queued)."""
    with transaction.atomic():
        due = claim_due(now, batch)
        if not due:
            return 0, 0, 0
        missed = sorted((Due.of(row) for row in due if row["missed"]),
                        key=lambda o: (o.due_at, o.id))
        stepped = sorted((Due.of(row) for row in due if row["stepped"]),
                         key=lambda o: (o.next_action_at, o.id))
        emails, cursors = step_emails(stepped, policy, now)
        update_due([o.id for o in missed], cursors, now)
        queued = insert_emails(emails, now, rearm_skipped=True)
        if missed:
            ctype = ContentType.objects.get_for_model(Obligation)
            append_events([missed_event(o, now, ctype) for o in missed])
        return len(missed), len(stepped), len(queued)


def sweep(now=None, batch=BATCH):
    """One pass of the deadline sweep at `now` (read once). Safe to run concurrently."""
    now = now or timezone.now()
    policy = DeadlinePolicy.in_force()
    result = SweepResult()
    result.missed, result.obligations_stepped, result.emails_queued = handle_due(
        now, policy, batch)
    # Proceedings' status changes take effect on their dates: every change now due, then
    # suspensions that have run their course (their reinstatement, a step, says what the
    # provider's status is then, with every other change due by now in effect).
    result.status_changes = apply_due_status_changes(now)
    result.suspensions_ended = end_due_suspensions(now, policy=policy)
    Heartbeat.record("sweep", now)
    return result


REASSIGNED = ("Not sent: the step goes to the case's reviewer, now another (the case "
              "reassigned, or its reviewer no longer reviewing).")


def follow_assignment(incident_ids, now=None, departing=None):
    """After the duties of cases `incident_ids` were given another reviewer (or none): the
    reminders and escalations still waiting to go to USPS for the assigned reviewer go to
    whom the step now goes to (the one assigned, else every reviewer); those waiting for
    someone it no longer goes to (the reviewer before, one since made a manager or gone to
    a provider) are skipped. A step already taken is not taken again by the sweep, so
    without this the reviewer assigned would never hear of it. The USPS managers' part of
    an escalation and the provider's officers' stay as they are (`departing`: someone who
    was the reviewer and has just joined the provider, whose e-mails are the reviewer's
    all the same). Returns how many were queued anew."""
    now = now or timezone.now()
    waiting = [email for email in OutboundEmail.objects.filter(
        obligation__incident_id__in=incident_ids,
        state__in=(EmailState.PENDING, EmailState.SENDING),
        template__in=(REMINDER, USPS_REMINDER_TEMPLATE), audience__in=TO_ASSIGNED)
        .select_related("obligation", "recipient")
        if email.recipient is None or email.recipient.is_usps
        or email.obligation.is_usps_target or email.recipient_id == departing
        or email.recipient.provider_id != email.obligation.provider_id]
    if not waiting:
        return 0
    book = RecipientBook({email.obligation.provider_id for email in waiting})
    steps = {(email.obligation_id, email.step, email.audience, email.template):
             email.obligation for email in waiting}
    goes_to, rows = set(), []
    for (obligation_id, step, audience, template), obligation in steps.items():
        for user in book.for_step(obligation, audience):
            goes_to.add((obligation_id, step, user.pk))
            if user.role == Role.USPS_REVIEWER:
                rows.append((f"obligation:{obligation_id}:{step}:{user.pk}", template,
                             user.pk, user.email, {}, obligation_id, step, audience))
    OutboundEmail.objects.filter(
        state=EmailState.PENDING,
        pk__in=[email.pk for email in waiting if email.state == EmailState.PENDING
                and (email.obligation_id, email.step, email.recipient_id) not in goes_to]
    ).update(state=EmailState.SKIPPED, last_error=REASSIGNED)
    return len(insert_emails(rows, now, rearm_skipped=True))


def follow_reviewer(user):
    """After `user` stopped reviewing (made a manager, gone to a provider, their account
    closed): the steps waiting to go to them as a case's reviewer go to whom they now go
    to (every reviewer, the case being assigned to no one who reviews), on each case whose
    duties still name them. Returns how many were queued anew."""
    cases = (Obligation.objects.filter(reviewer_id=user.pk, incident_id__isnull=False)
             .outstanding().values("incident_id"))
    return follow_assignment(cases, departing=user.pk)

"""The sequence of steps of each kind of proceeding: which step may follow which, who
issues it, what state it leads to and which period it opens. Pure: no database.

Suspension (§ 501.6): notice of proposed suspension (with a period to correct the
deficiencies, none for a willful violation) → the provider's response or proof of
correction → notice of suspension with its effective date (or withdrawal) → the provider's
defense within 30 days → decision: suspension for a number of days, or revocation (or
withdrawal) → the provider's appeal within 30 days → decision on appeal. While a decided
suspension runs, USPS may extend it or end it early (reinstatement); at its end the sweep
reinstates the provider.

Sanction (§ 501.12): written demand → defense within 30 days → decision (or withdrawal)
→ appeal within 30 days → decision on appeal.
"""

from compliance.models import (
    ObligationKind,
    Outcome,
    ProceedingKind,
    ProceedingState,
    Side,
    StepKind,
)

SUSPENSION, SANCTION = ProceedingKind.SUSPENSION, ProceedingKind.SANCTION
S = ProceedingState

FIRST_STEP = {SUSPENSION: StepKind.PROPOSAL, SANCTION: StepKind.DEMAND}

# (kind of proceeding, its state) -> the steps that may follow, in the order offered.
NEXT_STEPS = {
    (SUSPENSION, S.PROPOSED): (StepKind.CORRECTION, StepKind.SUSPENSION_NOTICE,
                               StepKind.WITHDRAWAL),
    (SUSPENSION, S.ANSWERED): (StepKind.SUSPENSION_NOTICE, StepKind.WITHDRAWAL),
    (SUSPENSION, S.NOTICED): (StepKind.DEFENSE, StepKind.DECISION, StepKind.WITHDRAWAL),
    (SUSPENSION, S.DEFENDED): (StepKind.DECISION, StepKind.WITHDRAWAL),
    (SUSPENSION, S.DECIDED): (StepKind.APPEAL, StepKind.EXTENSION, StepKind.REINSTATEMENT),
    (SUSPENSION, S.APPEALED): (StepKind.APPEAL_DECISION, StepKind.EXTENSION,
                               StepKind.REINSTATEMENT),
    (SUSPENSION, S.APPEAL_DECIDED): (StepKind.EXTENSION, StepKind.REINSTATEMENT),
    (SANCTION, S.DEMANDED): (StepKind.DEFENSE, StepKind.DECISION, StepKind.WITHDRAWAL),
    (SANCTION, S.DEFENDED): (StepKind.DECISION, StepKind.WITHDRAWAL),
    (SANCTION, S.DECIDED): (StepKind.APPEAL,),
    (SANCTION, S.APPEALED): (StepKind.APPEAL_DECISION,),
}
# Steps that act on a decided suspension still to run its course.
WHILE_SUSPENDED = (StepKind.EXTENSION, StepKind.REINSTATEMENT)

PROVIDER_STEPS = (StepKind.CORRECTION, StepKind.DEFENSE, StepKind.APPEAL)

LEADS_TO = {
    StepKind.PROPOSAL: S.PROPOSED,
    StepKind.DEMAND: S.DEMANDED,
    StepKind.CORRECTION: S.ANSWERED,
    StepKind.SUSPENSION_NOTICE: S.NOTICED,
    StepKind.DEFENSE: S.DEFENDED,
    StepKind.DECISION: S.DECIDED,
    StepKind.APPEAL: S.APPEALED,
    StepKind.APPEAL_DECISION: S.APPEAL_DECIDED,
    StepKind.REINSTATEMENT: S.REINSTATED,
    StepKind.WITHDRAWAL: S.WITHDRAWN,
    # An extension lengthens the suspension; the proceeding stays where it is.
}

# The provider's period each step opens: (obligation kind, policy period).
OPENS_PERIOD = {
    StepKind.PROPOSAL: (ObligationKind.PROCEEDING_CORRECTION, "correction"),
    StepKind.SUSPENSION_NOTICE: (ObligationKind.PROCEEDING_DEFENSE, "defense"),
    StepKind.DEMAND: (ObligationKind.PROCEEDING_DEFENSE, "defense"),
    StepKind.DECISION: (ObligationKind.PROCEEDING_APPEAL, "appeal"),
}
# USPS's steps that wait for the end of the provider's period unless it has answered.
AFTER_PERIOD = (StepKind.SUSPENSION_NOTICE, StepKind.DECISION)

OUTCOMES = {
    (SUSPENSION, StepKind.DECISION): (Outcome.SUSPEND, Outcome.REVOKE),
    (SANCTION, StepKind.DECISION): (Outcome.IMPOSE,),
    (SUSPENSION, StepKind.APPEAL_DECISION): (Outcome.AFFIRM, Outcome.REVERSE),
    (SANCTION, StepKind.APPEAL_DECISION): (Outcome.AFFIRM, Outcome.REVERSE),
}


def side_of(step_kind):
    """Who issues a step of this kind: the provider's officers or USPS managers."""
    return Side.PROVIDER if step_kind in PROVIDER_STEPS else Side.USPS


def next_steps(kind, state, suspension_running):
    """The steps that may follow a proceeding of `kind` in `state`; the extension and an
    early reinstatement only while a decided suspension is still to run its course."""
    steps = NEXT_STEPS.get((kind, state), ())
    if not suspension_running:
        steps = tuple(s for s in steps if s not in WHILE_SUSPENDED)
    return steps


def outcomes_for(kind, step_kind):
    """The outcomes a decision of this kind takes (empty for other steps)."""
    return OUTCOMES.get((kind, step_kind), ())


def is_final(kind, state, suspension_running):
    """Whether no step can follow any more."""
    return not next_steps(kind, state, suspension_running)

"""Bad input is refused clearly and stores nothing: a step out of turn, a decision before
the provider's period ends, an answer after its period without a reason, a proceeding
against a provider that does not exist or by someone who is not a USPS manager."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from compliance.enforcement.services import open_proceeding
from compliance.errors import Conflict
from compliance.models import (
    AuditEvent,
    Obligation,
    Proceeding,
    ProceedingNote,
    ProceedingStep,
    ProceedingStepVersion,
    ProviderStatusChange,
    PublishedChange,
)
from notifications.models import OutboundEmail
from tests import factories

from .helpers import DAY, T0, at, end_of_day_new_york, issue, open_suspension

pytestmark = pytest.mark.django_db

TABLES = (Proceeding, ProceedingStep, ProceedingStepVersion, ProceedingNote, Obligation,
          AuditEvent, PublishedChange, OutboundEmail, ProviderStatusChange)


def snapshot():
    """Every row count a proceeding could change, and the proceedings' states."""
    return ({model.__name__: model.objects.count() for model in TABLES},
            list(Proceeding.objects.values_list("pk", "state", "closed_at")),
            list(Obligation.objects.values_list("pk", "state", "due_at")))


@pytest.fixture
def unchanged():
    """Call after the setup; `unchanged()` asserts nothing changed since."""
    before = []

    def check():
        if not before:
            before.append(snapshot())
            return True
        assert snapshot() == before[0]
        return True
    return check


def test_a_step_out_of_turn_is_a_conflict(suspension, manager, officer_a, unchanged):
    unchanged()
    for actor, kind, extra in ((officer_a, "appeal", {}),
                               (manager, "decision", {"outcome": "suspend"}),
                               (manager, "appeal_decision", {"outcome": "affirm"}),
                               (manager, "proposal", {}),
                               (officer_a, "defense", {})):
        with pytest.raises(Conflict, match="does not follow now"):
            issue(actor, suspension, kind, T0 + DAY, **extra)
    unchanged()


def test_a_decision_before_the_providers_period_ends_is_a_conflict(suspension, manager,
                                                                   officer_a, unchanged):
    issue(officer_a, suspension, "correction", T0 + DAY)
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 20))
    unchanged()

    with pytest.raises(Conflict, match="period runs until"):
        issue(manager, suspension, "decision", T0 + 20 * DAY, outcome="suspend")
    unchanged()


def test_an_answer_after_its_period_needs_a_reason(suspension, officer_a, unchanged):
    unchanged()
    with pytest.raises(ValidationError) as refused:
        issue(officer_a, suspension, "correction", T0 + 20 * DAY, late_reason="  ")

    assert "late_reason" in refused.value.message_dict
    unchanged()


def test_only_usps_managers_open_proceedings(provider_a, reviewer, officer_a, missed_duty,
                                             unchanged):
    unchanged()
    for actor in (reviewer, officer_a):
        with pytest.raises(PermissionDenied):
            open_suspension(actor, provider_a, obligations=[missed_duty])
    unchanged()


def test_each_side_issues_only_its_own_steps(suspension, reviewer, officer_a, officer_b,
                                             viewer_a, manager, unchanged):
    unchanged()
    for actor, kind in ((officer_a, "suspension_notice"), (reviewer, "withdrawal"),
                        (officer_b, "correction"), (viewer_a, "correction"),
                        (manager, "correction")):
        with pytest.raises(PermissionDenied):
            issue(actor, suspension, kind, T0 + DAY, effective_date=date(2026, 6, 20))
    unchanged()


@pytest.mark.parametrize("inputs, field", [
    ({"kind": "demotion"}, "kind"),
    ({"grounds": "   "}, "grounds"),
    ({"obligations": []}, "obligations"),
    ({"willful": True, "correction_period_days": 10}, "correction_period_days"),
    ({"correction_period_days": 400}, "correction_period_days"),
    ({"revenue_risk": "extreme"}, "revenue_risk"),
    ({"amount": "-5"}, "amount"),
])
def test_bad_terms_of_a_proceeding_are_refused(manager, provider_a, missed_duty, inputs,
                                               field, unchanged):
    unchanged()
    arguments = {"kind": "suspension", "grounds": "Missed.", "obligations": [missed_duty],
                 **inputs}
    with pytest.raises(ValidationError) as refused, at(T0):
        open_proceeding(actor=manager, provider=provider_a, **arguments)
    assert field in refused.value.message_dict
    unchanged()


def test_it_cites_only_the_providers_own_missed_or_late_duties(manager, provider_a,
                                                               provider_b, unchanged):
    theirs = factories.ObligationFactory(provider=provider_b, state="missed")
    met = factories.ObligationFactory(provider=provider_a, state="met")
    unchanged()
    for duty in (theirs, met):
        with pytest.raises(ValidationError) as refused:
            open_suspension(manager, provider_a, obligations=[duty])
        assert "obligations" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        open_suspension(manager, provider_a, incidents=[987654])
    assert "incidents" in refused.value.message_dict
    unchanged()


def test_one_suspension_proceeding_at_a_time(suspension, manager, provider_a, missed_duty,
                                             unchanged):
    unchanged()
    with pytest.raises(Conflict, match="already open"):
        open_suspension(manager, provider_a, obligations=[missed_duty], at_time=T0 + DAY)
    unchanged()


@pytest.mark.parametrize("kind, extra, field", [
    ("suspension_notice", {}, "effective_date"),
    ("suspension_notice", {"effective_date": date(2026, 6, 9)}, "effective_date"),
    ("suspension_notice", {"effective_date": date(2026, 6, 20), "body": " "}, "body"),
])
def test_bad_terms_of_a_step_are_refused(suspension, manager, officer_a, kind, extra, field,
                                         unchanged):
    issue(officer_a, suspension, "correction", T0 + DAY)
    unchanged()
    with pytest.raises(ValidationError) as refused:
        issue(manager, suspension, kind, T0 + 2 * DAY, **extra)
    assert field in refused.value.message_dict
    unchanged()


def test_a_decision_needs_its_outcome(suspension, manager, officer_a, unchanged):
    issue(officer_a, suspension, "correction", T0 + DAY)
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 20))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY)
    unchanged()
    for outcome in ("", "impose", "reverse"):
        with pytest.raises(ValidationError) as refused:
            issue(manager, suspension, "decision", T0 + 4 * DAY, outcome=outcome)
        assert "outcome" in refused.value.message_dict
    unchanged()


def test_a_reinstatement_after_the_suspension_ends_is_refused(suspension, manager, officer_a,
                                                              provider_a, unchanged):
    issue(officer_a, suspension, "correction", T0 + DAY)
    issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
          effective_date=date(2026, 6, 12))
    issue(officer_a, suspension, "defense", T0 + 3 * DAY)
    issue(manager, suspension, "decision", T0 + 4 * DAY, outcome="suspend", days=10)
    suspension.refresh_from_db()
    ends = suspension.suspension_ends_at
    assert ends == end_of_day_new_york(date(2026, 6, 21))
    unchanged()

    # A reinstatement ends a suspension early: one dated after its end would prolong it.
    with pytest.raises(ValidationError) as refused, timezone.override("America/New_York"):
        issue(manager, suspension, "reinstatement", T0 + 5 * DAY,
              effective_date=date(2026, 6, 22))

    [message] = refused.value.message_dict["effective_date"]
    assert "ends at 2026-06-21 23:59 EDT" in message and "last day, 2026-06-21" in message
    unchanged()
    suspension.refresh_from_db()
    assert suspension.suspension_ends_at == ends
    provider_a.refresh_from_db()
    assert provider_a.authorization_status == "suspended"

    # Its last day is still early enough.
    issue(manager, suspension, "reinstatement", T0 + 5 * DAY, effective_date=date(2026, 6, 21))
    suspension.refresh_from_db()
    assert (suspension.state, suspension.suspension_ends_at) == ("reinstated", None)


@pytest.mark.parametrize("actor_name", ["reviewer", "manager"])
def test_a_providers_period_is_not_waived(suspension, actor_name, request, manager, unchanged):
    """Its time to answer ends with the proceeding's next step: waived, it would no longer
    hold USPS's decision back (a notice before the provider answered)."""
    from compliance.models import ObligationKind
    from tests.conftest import api_as

    from .helpers import period_of

    actor = request.getfixturevalue(actor_name)
    correction = period_of(suspension, ObligationKind.PROCEEDING_CORRECTION)
    unchanged()
    with at(T0 + DAY):
        answer = api_as(actor).post(f"/api/v1/obligations/{correction.pk}/waive/",
                                    {"reason": "Not needed."}, format="json")
    assert answer.status_code == 409 and "not waived" in answer.json()["detail"]
    unchanged()
    with pytest.raises(Conflict, match="period runs until"):
        issue(manager, suspension, "suspension_notice", T0 + 2 * DAY,
              effective_date=date(2026, 6, 20))
    unchanged()

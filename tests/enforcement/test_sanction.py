"""A sanction proceeding (§ 501.12): the written demand, the defense within 30 days, the
decision, the appeal within 30 days and the decision on appeal. It never touches the
provider's authorization status."""

from datetime import date
from decimal import Decimal

import pytest

from compliance.errors import Conflict
from compliance.models import ObligationKind, ProviderStatusChange

from .helpers import DAY, T0, end_of_day_new_york, issue, open_sanction, period_of, sweep_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def sanction(manager, provider_a):
    return open_sanction(manager, provider_a, sanction="Recovery of revenue losses.",
                         amount="12500.50")


def test_the_demand_states_the_sanction_and_opens_thirty_days_to_defend(sanction):
    demand = sanction.steps.get()
    defense = period_of(sanction, ObligationKind.PROCEEDING_DEFENSE)

    assert (sanction.state, demand.kind, sanction.amount) == (
        "demanded", "demand", Decimal("12500.50"))
    content = demand.versions.get().content
    assert (content["sanction"], content["amount"]) == ("Recovery of revenue losses.",
                                                        "12500.50")
    assert content["evidence"] == {"as_of": "2026-06-10T16:00:00.000000Z",
                                   "obligations": [], "cases": []}
    assert (defense.clause, defense.due_at) == ("§ 501.12", end_of_day_new_york(
        date(2026, 7, 10)))


def test_usps_decides_once_the_defense_is_filed(sanction, officer_a, manager):
    with pytest.raises(Conflict):
        issue(manager, sanction, "decision", T0 + 5 * DAY)

    issue(officer_a, sanction, "defense", T0 + 5 * DAY, body="The losses were refunded.")
    decision = issue(manager, sanction, "decision", T0 + 6 * DAY, body="Imposed.")

    sanction.refresh_from_db()
    assert (decision.outcome, sanction.state, sanction.outcome) == ("impose", "decided",
                                                                    "impose")
    assert period_of(sanction, ObligationKind.PROCEEDING_APPEAL).due_at == (
        end_of_day_new_york(date(2026, 7, 16)))


def test_usps_decides_after_an_unanswered_defense_period(sanction, manager):
    sweep_at(end_of_day_new_york(date(2026, 7, 10)) + DAY / 24)
    assert period_of(sanction, ObligationKind.PROCEEDING_DEFENSE).state == "missed"

    issue(manager, sanction, "decision", T0 + 31 * DAY)

    # Missed for good, and owed no more.
    period = period_of(sanction, ObligationKind.PROCEEDING_DEFENSE)
    assert (period.state, period.is_outstanding) == ("missed", False)
    assert period.closed_at is not None and period.next_action_at is None


def test_the_appeal_and_its_decision_close_the_proceeding(sanction, officer_a, manager,
                                                          provider_a):
    issue(officer_a, sanction, "defense", T0 + 5 * DAY)
    issue(manager, sanction, "decision", T0 + 6 * DAY)
    issue(officer_a, sanction, "appeal", T0 + 20 * DAY, body="We appeal.")
    assert period_of(sanction, ObligationKind.USPS_PROCEEDING_DECISION).state == "open"

    issue(manager, sanction, "appeal_decision", T0 + 25 * DAY, outcome="affirm")

    sanction.refresh_from_db()
    assert (sanction.state, sanction.closed_at) == ("appeal_decided", T0 + 25 * DAY)
    provider_a.refresh_from_db()
    assert provider_a.authorization_status == "authorized"
    assert not ProviderStatusChange.objects.filter(provider=provider_a,
                                                   changed_by=None).exists()
    with pytest.raises(Conflict, match="does not follow"):
        issue(officer_a, sanction, "appeal", T0 + 26 * DAY)


def test_a_late_appeal_says_why_and_meets_its_period_late(sanction, officer_a, manager):
    issue(officer_a, sanction, "defense", T0 + 5 * DAY)
    issue(manager, sanction, "decision", T0 + 6 * DAY)

    step = issue(officer_a, sanction, "appeal", T0 + 40 * DAY, body="We appeal.",
                 late_reason="Our counsel was ill.")

    assert (step.is_late, step.late_reason) == (True, "Our counsel was ill.")
    assert period_of(sanction, ObligationKind.PROCEEDING_APPEAL).state == "late"


def test_a_sanction_has_no_period_to_correct(manager, provider_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        open_sanction(manager, provider_a, correction_period_days=10)
    assert list(refused.value.message_dict) == ["correction_period_days"]
    with pytest.raises(ValidationError) as refused:
        open_sanction(manager, provider_a, willful=True)
    assert list(refused.value.message_dict) == ["willful"]

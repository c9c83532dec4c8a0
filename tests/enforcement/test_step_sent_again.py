"""A step sent twice (a double click, a retry after a lost answer) is answered as the step
it filed, also when the step took its terms as its kind takes them: a sanction's decision
left blank takes its one outcome, and terms a step does not take are ignored both times."""

from datetime import date

import pytest

from tests.enforcement.helpers import DAY, T0, issue, open_sanction
from tests.enforcement.test_pages import step_sent_twice
from tests.enforcement.test_suspension import noticed

pytestmark = pytest.mark.django_db


@pytest.fixture
def defended(manager, provider_a, officer_a):
    sanction = open_sanction(manager, provider_a, sanction="Recovery.", amount="100.00")
    issue(officer_a, sanction, "defense", T0 + 5 * DAY, body="The losses were refunded.")
    return sanction


def test_a_sanction_decision_sent_twice_from_its_page_is_answered_as_filed(
        client, defended, manager):
    # The outcome select left at its '—' (a sanction's decision takes only 'impose').
    first, again = step_sent_twice(client, manager, defended, {
        "kind": "decision", "body": "Imposed.", "outcome": ""}, T0 + 6 * DAY)

    assert defended.steps.filter(kind="decision").count() == 1
    assert first.status_code == 302
    assert again.status_code == 302
    assert again["Location"] == first["Location"]


def test_a_sanction_decision_retried_by_the_api_is_answered_as_filed(defended, manager):
    after = defended.steps.order_by("-number").first().number

    first = issue(manager, defended, "decision", T0 + 6 * DAY, body="Imposed.", after=after)
    again = issue(manager, defended, "decision", T0 + 6 * DAY, body="Imposed.", after=after)

    assert again.pk == first.pk
    assert defended.steps.filter(kind="decision").count() == 1


def test_a_revocation_sent_twice_with_days_it_ignores_is_answered_as_filed(
        suspension, officer_a, manager):
    noticed(suspension, officer_a, manager, effective=date(2026, 6, 12))
    after = suspension.steps.order_by("-number").first().number
    sent = {"body": "Revoked.", "outcome": "revoke", "days": 30, "after": after}

    first = issue(manager, suspension, "decision", T0 + 33 * DAY, **sent)
    again = issue(manager, suspension, "decision", T0 + 33 * DAY, **sent)

    assert first.days is None
    assert again.pk == first.pk
    assert suspension.steps.filter(kind="decision").count() == 1


def test_a_decision_with_another_outcome_is_no_retry(suspension, officer_a, manager):
    from compliance.errors import Conflict

    noticed(suspension, officer_a, manager, effective=date(2026, 6, 12))
    after = suspension.steps.order_by("-number").first().number
    issue(manager, suspension, "decision", T0 + 33 * DAY, body="Decided.", outcome="revoke",
          after=after)

    with pytest.raises(Conflict, match="since this page was shown"):
        issue(manager, suspension, "decision", T0 + 33 * DAY, body="Decided.",
              outcome="suspend", after=after)
    assert suspension.steps.filter(kind="decision").count() == 1

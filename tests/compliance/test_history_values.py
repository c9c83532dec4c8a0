"""Histories read as people read them: the names of what was filed, labels of stored
codes, no database ids ("Histories read as labels and formatted times, never stored
values")."""

import re
from datetime import timedelta

import pytest
import time_machine

from accounts import services as accounts
from incidents import services as incidents
from tests import factories
from tests.enforcement.helpers import DAY, T0, at
from tests.incidents.factories import NOW, make_filed
from tests.reports.factories import case_under_review, written_duty

pytestmark = pytest.mark.django_db


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", str(html)).split())


def history_lines(page, marker):
    """Each event line (`<li data-action=...>`) of the list after `marker`, as text."""
    start = page.index(marker)
    part = page[start:page.index("</ol>", start)]
    return {m.group(1): text(m.group(2)) for m in re.finditer(
        r'<li data-action="([^"]+)">(.*?)</li>\s*(?=<li data-action|$)', part, re.S)} or {}


def event_line(page, marker, action):
    start = page.index(marker)
    part = page[start:page.index("</ol>", start)]
    i = part.index(f'data-action="{action}"')
    j = part.find("<li data-action", i + 1)
    return text(part[i:j if j > 0 else len(part)])



def test_an_amended_pes_model_list_reads_as_names_on_the_case_timeline(
        client, officer_a, reviewer):
    second = factories.PESModelFactory(provider=officer_a.provider, name="Meter Two")
    affiliate = factories.AffiliateFactory(provider=officer_a.provider, name="Kessler GmbH")
    incident = make_filed(officer_a, at=NOW - timedelta(hours=2))
    with time_machine.travel(NOW, tick=False), factories.committed():
        incidents.amend_incident(actor=officer_a, incident=incident,
                                 amendment_reason="A second model is affected.",
                                 pes_models=[*incident.pes_models.all(), second],
                                 discovered_by_affiliate=affiliate)

    for user in (officer_a, reviewer):
        client.force_login(user)
        page = client.get(f"/incidents/{incident.pk}/").content.decode()
        line = event_line(page, 'data-testid="timeline"', "incident.amended")
        assert "'id'" not in line and "{" not in line, (user.username, line)
        assert "Meter Two" in line and "Kessler GmbH" in line




def test_who_closed_an_account_reads_as_a_label_not_a_stored_code(
        client, manager, officer_a, viewer_a, settings):
    settings.MFA_REQUIRED_ROLES = []
    with factories.committed():
        accounts.deactivate_user(actor=manager, user=viewer_a, reason="Left the company.")

    client.force_login(officer_a)
    page = client.get(f"/people/{viewer_a.pk}/").content.decode()
    line = event_line(page, '<section class="history">', "user.deactivated")
    assert "Closed by: usps" not in line, line


def test_a_reset_second_factor_reads_as_labels_not_allauth_type_codes(
        client, manager, officer_a, settings):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    settings.MFA_REQUIRED_ROLES = []
    factories.enrol_totp(officer_a)
    RecoveryCodes.activate(officer_a)
    with factories.committed():
        accounts.reset_user_factor(actor=manager, user=officer_a, reason="Lost phone; called.")

    client.force_login(manager)
    page = client.get(f"/people/{officer_a.pk}/").content.decode()
    line = event_line(page, '<section class="history">', "user.factor_reset")
    assert "recovery_codes" not in line and "totp" not in line, line




def test_a_comment_event_shows_no_database_id(client, officer_a, reviewer):
    incident = make_filed(officer_a, at=NOW - timedelta(hours=2))
    with time_machine.travel(NOW, tick=False), factories.committed():
        comment = incidents.add_comment(actor=reviewer, incident=incident, body="Which firmware?",
                                        visibility="shared")

    client.force_login(officer_a)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    line = event_line(page, 'data-testid="timeline"', "incident.comment_added")
    assert f"Comment: {comment.pk}" not in line, line


def test_the_provider_reads_on_the_duty_that_usps_moved_its_due_time(client, officer_a,
                                                                     reviewer):
    """A re-triage moves the written report's due time: the duty's history tells the
    provider when and to what; why stays USPS's."""
    case = case_under_review(officer_a, at=T0 - 20 * DAY, risk="high", written_due=7 * DAY)
    with at(T0 - 19 * DAY):
        incidents.triage_incident(actor=reviewer, incident=case, revenue_risk="critical",
                                  rationale="RATIONALE internal to USPS")
    duty = written_duty(case)
    assert duty.due_at != duty.original_due_at

    client.force_login(officer_a)
    page = client.get(f"/obligations/{duty.pk}/").content.decode()
    assert "RATIONALE" not in page
    line = event_line(page, '<section class="history">', "obligation.due_moved")
    assert "USPS changed the deadline" in line


def test_a_move_between_providers_names_them_and_only_what_changed(
        client, manager, viewer_a, provider_a, provider_b, settings):
    settings.MFA_REQUIRED_ROLES = []
    with factories.committed():
        accounts.change_role(actor=manager, user=viewer_a, role="provider_viewer",
                             provider_id=provider_b.pk, reason="Joined Bravo.")

    client.force_login(manager)
    page = client.get(f"/people/{viewer_a.pk}/").content.decode()
    line = event_line(page, '<section class="history">', "user.role_changed")
    assert f"{provider_a.name} → {provider_b.name}" in line, line
    assert "Role:" not in line  # the role did not change

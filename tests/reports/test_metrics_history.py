"""Metrics: figures at an instant in the past keep what was owed then; charts read
without colour whatever the number of series; a last day alone names its own twelve
months."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from compliance.models import ObligationKind, ObligationState
from compliance.models.obligations import USPS_KINDS
from incidents import services
from incidents.models import IncidentStatus
from tests import factories
from tests.compliance.test_exports_csv import as_dicts
from tests.incidents.factories import IncidentFactory, make_draft

TODAY = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)
PERIOD = "from=2026-01-01&to=2026-03-31"

pytestmark = pytest.mark.django_db


def at(month, day, hour=0):
    return datetime(2026, month, day, hour, tzinfo=UTC)


def rows_of(client, slug, query=PERIOD):
    with time_machine.travel(TODAY, tick=False):
        response = client.get(f"/metrics/{slug}.csv?{query}")
    assert response.status_code == 200
    return as_dicts(response)


def closed_case_with_pending_status_report(provider, closed_at):
    """A case filed Jan 2 and closed at `closed_at`; its status report, opened Jan 5 and
    due Mar 10, was waived when the case closed (as `close_obligation` does it)."""
    incident = IncidentFactory(provider=provider, status=IncidentStatus.CLOSED,
                               discovered_at=at(1, 1), submitted_at=at(1, 2),
                               revenue_risk="high", closed_at=closed_at,
                               reference="PES-2026-00001")
    with time_machine.travel(at(1, 5), tick=False):
        factories.ObligationFactory(
            provider=provider, kind=ObligationKind.STATUS_REPORT, clause="§ 501.11(c)",
            incident_id=incident.pk, due_at=at(3, 10), original_due_at=at(3, 10),
            state=ObligationState.WAIVED, waived_reason="The case closed.",
            closed_at=closed_at, closed_reason="The case closed.")
    return incident


def test_backlog_counts_a_duty_owed_at_a_months_end_that_was_waived_later(
        signed_in, officer_a, provider_a):
    closed_case_with_pending_status_report(provider_a, closed_at=at(2, 20))

    rows = rows_of(signed_in(officer_a), "backlog")

    # End of January: the case was open and its status report owed (created Jan 5, not
    # met, not closed until Feb 20). End of February and March: neither.
    assert [(r["month"], r["open cases at its end"], r["duties owed at its end"])
            for r in rows] == [("2026-01", "1", "1"), ("2026-02", "0", "0"),
                               ("2026-03", "0", "0")]


def test_open_by_risk_counts_a_duty_owed_at_the_periods_end_that_was_waived_later(
        signed_in, officer_a, provider_a):
    # The case closed on April 10, after the period (January to March) ended.
    closed_case_with_pending_status_report(provider_a, closed_at=at(4, 10))

    rows = {r["revenue risk"]: r for r in rows_of(signed_in(officer_a), "open-by-risk")}

    assert rows["High"]["open cases"] == "1"
    assert rows["High"]["duties owed on them"] == "1"


def legend_styles(svg):
    """(colour, dash, marker shape) of each legend entry of a line chart."""
    entries = re.findall(r'<line x1="\d+(?:\.\d+)?" y1="15" x2="[\d.]+" y2="15" '
                         r'stroke="([^"]+)" stroke-width="2" stroke-dasharray="([^"]*)"/>'
                         r'(<circle|<rect|<path d="M[\d.]+ [\d.]+L[\d.]+ [\d.]+L[\d.]+ [\d.]+Z|'
                         r'<path d="M[\d.]+ [\d.]+L[\d.]+ [\d.]+L[\d.]+ [\d.]+L)', svg)
    return [(colour, dash, re.sub(r"[\d.]+", "n", marker)) for colour, dash, marker in entries]


def test_usps_targets_chart_draws_each_of_the_five_kinds_distinguishably(signed_in, reviewer,
                                                                          provider_a):
    # One target of each of USPS's five kinds, all due in February and met on time.
    due = datetime(2026, 2, 10, tzinfo=UTC)
    for kind in USPS_KINDS:
        factories.ObligationFactory(provider=provider_a, kind=kind, clause="USPS target",
                                    due_at=due, original_due_at=due,
                                    state=ObligationState.MET, met_at=due)
    with time_machine.travel(TODAY, tick=False):
        response = signed_in(reviewer).get(f"/metrics/?{PERIOD}")
    figure = next(f for f in response.context["figures"] if f.slug == "usps-targets")
    styles = legend_styles(str(figure.chart))

    assert len(styles) == 5
    # Two kinds drawn in the same colour, dash and marker cannot be told apart at all.
    assert len(set(styles)) == 5, styles


def test_on_time_chart_draws_each_of_five_clauses_distinguishably(signed_in, reviewer,
                                                                  provider_a):
    due = datetime(2026, 2, 10, tzinfo=UTC)
    for kind, clause in ((ObligationKind.NOTIFICATION, "§ 501.11(b)"),
                         (ObligationKind.WRITTEN_REPORT, "§ 501.11(c)"),
                         (ObligationKind.PROCEDURES, "§ 501.11(d)"),
                         (ObligationKind.PROCEEDING_DEFENSE, "§ 501.6"),
                         (ObligationKind.PROCEEDING_APPEAL, "§ 501.12")):
        factories.ObligationFactory(provider=provider_a, kind=kind, clause=clause,
                                    due_at=due, original_due_at=due,
                                    state=ObligationState.MET, met_at=due)
    with time_machine.travel(TODAY, tick=False):
        response = signed_in(reviewer).get(f"/metrics/?{PERIOD}")
    figure = next(f for f in response.context["figures"] if f.slug == "on-time")
    styles = legend_styles(str(figure.chart))

    assert len(styles) == 5
    assert len(set(styles)) == 5, styles


def test_a_last_day_alone_before_the_default_start_is_not_refused(signed_in, officer_a):
    client = signed_in(officer_a)
    with time_machine.travel(TODAY, tick=False):
        csv_answer = client.get("/metrics/backlog.csv?to=2025-12-31")  # fine: after May 1
        early = client.get("/metrics/backlog.csv?to=2025-03-31")      # before May 1, 2025
        page = client.get("/metrics/?to=2025-03-31")

    assert csv_answer.status_code == 200
    # Not "The period ends (2025-03-31) before it starts (2025-05-01)": a first day the
    # user never chose (the default start, twelve months before today).
    assert early.status_code == 200, early.content
    assert page.status_code == 200


def test_backlog_counts_a_duty_owed_at_a_months_end_that_usps_waived_later(
        signed_in, officer_a, reviewer, provider_a):
    from compliance.services.waivers import waive_obligation

    # A case filed Jan 2 and open since; its written report owed from Jan 5, due Mar 10.
    incident = IncidentFactory(provider=provider_a, status=IncidentStatus.UNDER_REVIEW,
                               discovered_at=at(1, 1), submitted_at=at(1, 2),
                               triaged_at=at(1, 5), revenue_risk="low",
                               reference="PES-2026-00001")
    with time_machine.travel(at(1, 5), tick=False):
        duty = factories.ObligationFactory(
            provider=provider_a, kind=ObligationKind.WRITTEN_REPORT, clause="§ 501.11(c)",
            incident_id=incident.pk, due_at=at(3, 10), original_due_at=at(3, 10))
    with time_machine.travel(at(2, 20), tick=False), factories.committed():
        waive_obligation(actor=reviewer, obligation=duty, reason="Covered by the audit.")

    rows = rows_of(signed_in(officer_a), "backlog")

    # Owed at the end of January; waived on February 20, owed no more after.
    assert [(r["month"], r["open cases at its end"], r["duties owed at its end"])
            for r in rows] == [("2026-01", "1", "1"), ("2026-02", "1", "0"),
                               ("2026-03", "1", "0")]


def test_a_waived_duty_stored_before_its_time_was_kept_takes_it_from_its_audit_events(
        reviewer, provider_a):
    from importlib import import_module

    from django.apps import apps

    from compliance.models import Obligation
    from compliance.services.waivers import waive_obligation

    migration = import_module("compliance.migrations.0024_waived_at_and_retriage_index")
    duty = factories.ObligationFactory(provider=provider_a, due_at=at(3, 10))
    with time_machine.travel(at(2, 20), tick=False), factories.committed():
        waive_obligation(actor=reviewer, obligation=duty, reason="Covered by the audit.")
    Obligation.objects.filter(pk=duty.pk).update(waived_at=None)

    migration.waived_at_from_audit_events(apps, None)

    duty.refresh_from_db()
    assert duty.waived_at == at(2, 20)


def triage_at(reviewer, incident, moment, risk):
    from incidents.services import triage_incident

    with time_machine.travel(moment, tick=False), factories.committed():
        triage_incident(actor=reviewer, incident=incident, revenue_risk=risk,
                        rationale=f"Risk {risk} on what we know.")


def open_cases_by_risk(client):
    return {r["revenue risk"]: r["open cases"] for r in rows_of(client, "open-by-risk")}


def test_open_by_risk_counts_a_case_triaged_after_the_period_as_not_yet_set(
        signed_in, officer_a, reviewer):
    from tests.incidents.factories import make_filed

    # Filed on March 20, triaged (high) on April 3: on March 31 its risk was not yet set.
    case = make_filed(officer_a, at=at(3, 20, 12))
    triage_at(reviewer, case, at(4, 3, 12), "high")

    rows = open_cases_by_risk(signed_in(reviewer))

    assert (rows["Not yet set"], rows["High"]) == ("1", "0"), rows


def test_open_by_risk_keeps_the_risk_a_case_had_before_a_later_re_triage(
        signed_in, officer_a, reviewer):
    from compliance.services import open_obligation
    from tests.incidents.factories import make_filed

    # Triaged low on January 12; raised to critical on April 3, after the period. A duty
    # owed on March 31 counts with it.
    case = make_filed(officer_a, at=at(1, 10, 12))
    triage_at(reviewer, case, at(1, 12, 12), "low")
    triage_at(reviewer, case, at(4, 3, 12), "critical")
    with time_machine.travel(at(1, 20), tick=False), factories.committed():
        open_obligation(actor=None, kind=ObligationKind.STATUS_REPORT,
                        provider=case.provider, subject=case.reference, due_at=at(5, 1),
                        incident_id=case.pk)

    rows = {r["revenue risk"]: r for r in rows_of(signed_in(reviewer), "open-by-risk")}

    assert (rows["Low"]["open cases"], rows["Critical"]["open cases"]) == ("1", "0")
    assert rows["Low"]["duties owed on them"] == "2"  # the written report, the status report
    assert rows["Critical"]["duties owed on them"] == "0"


def test_backlog_does_not_count_a_drafts_duty_at_a_month_end_before_the_filing(
        signed_in, officer_a, reviewer):
    """The 24-hour duty is owed while its case is a draft alone: USPS knew of neither."""
    # Drafted on January 31 at 23:00 (discovered an hour before), filed on February 1 at
    # 01:00 UTC: at the end of January USPS knew of no case and no duty.
    drafted_at = datetime(2026, 1, 31, 23, 0, tzinfo=UTC)
    with time_machine.travel(drafted_at, tick=False):
        draft = make_draft(officer_a, discovered_at=drafted_at - timedelta(hours=1))
    with time_machine.travel(datetime(2026, 2, 1, 1, 0, tzinfo=UTC), tick=False), \
            factories.committed():
        services.submit_incident(actor=officer_a, incident=draft, late_reason="")

    for user in (reviewer, officer_a):
        client = signed_in(user)
        backlog = rows_of(client, "backlog", "from=2026-01-01&to=2026-02-28")
        by_risk = rows_of(client, "open-by-risk", "from=2026-01-01&to=2026-01-31")
        january = backlog[0]
        assert january["month"] == "2026-01"
        duties_by_risk = sum(int(r["duties owed on them"]) for r in by_risk)
        assert (january["open cases at its end"], duties_by_risk) == ("0", 0)
        # The same instant, the same page: the backlog agrees no duty was owed then.
        assert january["duties owed at its end"] == "0", (user.username, backlog)

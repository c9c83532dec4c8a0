"""Metrics: every figure against numbers computed by hand, the door (provider staff count
their own provider only; USPS all or one), bad periods, constant queries."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from compliance.models import ObligationKind, ObligationState
from incidents.models import IncidentStatus
from tests import factories
from tests.compliance.test_exports_csv import as_dicts
from tests.incidents.factories import IncidentFactory
from tests.reports.factories import case_under_review, file_report_at

TODAY = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)
PERIOD = "from=2026-01-01&to=2026-03-31"


def at(month, day, hour=0):
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def duty(provider, kind, due, state, **extra):
    clause = extra.pop("clause", None) or (
        "§ 501.11(b)" if kind == ObligationKind.NOTIFICATION else "§ 501.11(c)")
    return factories.ObligationFactory(provider=provider, kind=kind, clause=clause, due_at=due,
                                       original_due_at=due, state=state, **extra)


def filed(provider, discovered, submitted, **extra):
    return IncidentFactory(provider=provider, status=extra.pop("status",
                                                               IncidentStatus.SUBMITTED),
                           discovered_at=discovered, submitted_at=submitted,
                           notification_due_at=discovered + timedelta(hours=24), **extra)


def rows_of(client, slug, query=PERIOD):
    response = client.get(f"/metrics/{slug}.csv?{query}")
    assert response.status_code == 200
    return as_dicts(response)


# --- On-time rate, late and missed ---


@pytest.fixture
def ledger(provider_a, provider_b):
    n, w = ObligationKind.NOTIFICATION, ObligationKind.WRITTEN_REPORT
    s = ObligationState
    duty(provider_a, n, at(1, 10), s.MET, met_at=at(1, 9))
    duty(provider_a, n, at(1, 20), s.LATE, met_at=at(1, 21))
    duty(provider_a, w, at(1, 15), s.MET, met_at=at(1, 14))
    duty(provider_a, n, at(2, 5), s.MISSED, missed_at=at(2, 5))
    duty(provider_a, n, at(2, 10), s.WAIVED, waived_reason="Duplicate")
    duty(provider_a, w, at(2, 15), s.LATE, met_at=at(2, 20))
    duty(provider_a, n, at(3, 5), s.MET, met_at=at(3, 5))
    duty(provider_a, n, at(3, 30), s.OPEN)
    duty(provider_a, n, datetime(2025, 12, 20, tzinfo=UTC), s.MET)  # before the period
    duty(provider_b, n, at(1, 12), s.MISSED, missed_at=at(1, 12))
    # An unfiled draft's 24-hour duty: the provider's own clock, not yet on the record.
    duty(provider_a, n, at(1, 25), s.MISSED, missed_at=at(1, 25), usps_visible=False)


def test_it_computes_the_on_time_rate_per_clause_per_month(signed_in, officer_a, ledger):
    rows = rows_of(signed_in(officer_a), "on-time")

    table = [(r["month"], r["clause"], r["due"], r["met on time"], r["met late"], r["missed"],
              r["waived"], r["open"], r["on-time rate (%)"]) for r in rows]
    assert table == [
        ("2026-01", "§ 501.11(b)", "2", "1", "1", "0", "0", "0", "50.0"),
        ("2026-01", "§ 501.11(c)", "1", "1", "0", "0", "0", "0", "100.0"),
        ("2026-02", "§ 501.11(b)", "2", "0", "0", "1", "1", "0", "0.0"),
        ("2026-02", "§ 501.11(c)", "1", "0", "1", "0", "0", "0", "0.0"),
        ("2026-03", "§ 501.11(b)", "2", "1", "0", "0", "0", "1", "100.0"),
    ]
    assert {r["provider"] for r in rows} == {"Alpha Postage"}
    assert {(r["from"], r["to"]) for r in rows} == {("2026-01-01", "2026-03-31")}


def test_the_on_time_chart_draws_a_line_for_every_clause_of_its_table(provider_a):
    from compliance.models import Obligation
    from incidents.models import Incident
    from reports.metrics import figures
    from reports.metrics.period import Period
    from reports.models import ReportReview

    # A sanction's (§ 501.12) defense period met late, beside a notification met on time.
    duty(provider_a, ObligationKind.PROCEEDING_DEFENSE, at(3, 10), ObligationState.LATE,
         met_at=at(3, 12), clause="§ 501.12")
    duty(provider_a, ObligationKind.NOTIFICATION, at(3, 10), ObligationState.MET,
         met_at=at(3, 9))
    ledger = Obligation.objects.filter(provider=provider_a)
    scope = figures.Scope(Incident.objects.filed(), ledger, ledger.provider_duties(),
                          ReportReview.objects.all(), usps=True)

    figure = figures.on_time(scope, Period(date(2026, 1, 1), date(2026, 3, 31)))

    assert [row[1] for row in figure["rows"]] == ["§ 501.11(b)", "§ 501.12"]
    assert "§ 501.12" in figure["chart"] and "§ 501.11(b)" in figure["chart"]


def test_the_provider_and_usps_count_the_same_duties_of_a_provider(signed_in, officer_a,
                                                                  reviewer, ledger, provider_a):
    def table(rows):
        return [(r["month"], r["clause"], r["due"], r["missed"], r["on-time rate (%)"])
                for r in rows]

    own = table(rows_of(signed_in(officer_a), "on-time"))
    seen_by_usps = table(rows_of(signed_in(reviewer), "on-time",
                                 f"{PERIOD}&provider={provider_a.pk}"))

    assert own == seen_by_usps
    assert ("2026-01", "§ 501.11(b)", "2", "0", "50.0") in own


def test_it_counts_every_provider_for_usps_and_one_when_chosen(signed_in, reviewer, ledger,
                                                               provider_b):
    client = signed_in(reviewer)

    january = [r for r in rows_of(client, "on-time") if r["month"] == "2026-01"]
    only_b = rows_of(client, "on-time", f"{PERIOD}&provider={provider_b.pk}")

    notification = next(r for r in january if r["clause"] == "§ 501.11(b)")
    assert (notification["due"], notification["on-time rate (%)"]) == ("3", "33.3")
    assert [(r["month"], r["due"], r["missed"], r["provider"]) for r in only_b] == [
        ("2026-01", "1", "1", "Bravo Meters")]


@pytest.fixture
def targets(provider_a, provider_b):
    """USPS's own targets: internal to USPS, never a provider's duty."""
    k, s = ObligationKind, ObligationState
    for provider, kind, due, state in (
            (provider_a, k.USPS_TRIAGE, at(1, 5), s.MET), (provider_b, k.USPS_TRIAGE, at(1, 9),
                                                           s.LATE),
            (provider_a, k.USPS_REPORT_REVIEW, at(2, 2), s.MISSED),
            (provider_a, k.USPS_TRIAGE, at(2, 7), s.OPEN)):
        factories.ObligationFactory(provider=provider, kind=kind, clause="USPS target",
                                    due_at=due, original_due_at=due, state=state)


def test_it_computes_the_on_time_rate_of_usps_targets(signed_in, reviewer, targets):
    rows = rows_of(signed_in(reviewer), "usps-targets")

    assert [(r["month"], r["target"], r["due"], r["met on time"], r["met late"],
             r["missed"], r["open"], r["on-time rate (%)"]) for r in rows] == [
        ("2026-01", "Triage (USPS target)", "2", "1", "1", "0", "0", "50.0"),
        ("2026-02", "Report review (USPS target)", "1", "0", "0", "1", "0", "0.0"),
        ("2026-02", "Triage (USPS target)", "1", "0", "0", "0", "1", ""),
    ]


def test_it_keeps_usps_targets_out_of_the_providers_figures(signed_in, reviewer, officer_a,
                                                           ledger, targets):
    usps = rows_of(signed_in(reviewer), "on-time")
    provider = rows_of(signed_in(officer_a), "on-time")

    assert "USPS target" not in {r["clause"] for r in usps + provider}
    assert [r["missed"] for r in rows_of(signed_in(officer_a), "late-missed")] == [
        "0", "1", "0"]
    assert signed_in(officer_a).get(f"/metrics/usps-targets.csv?{PERIOD}").status_code == 404


def test_it_counts_late_and_missed_duties_per_month(signed_in, officer_a, ledger):
    rows = rows_of(signed_in(officer_a), "late-missed")

    assert [(r["month"], r["met late"], r["missed"]) for r in rows] == [
        ("2026-01", "1", "0"), ("2026-02", "1", "1"), ("2026-03", "0", "0")]


def test_it_never_counts_another_providers_duties(signed_in, officer_b, ledger):
    rows = rows_of(signed_in(officer_b), "on-time")

    assert [(r["month"], r["due"], r["provider"]) for r in rows] == [
        ("2026-01", "1", "Bravo Meters")]


def test_it_answers_404_to_provider_staff_naming_another_provider(signed_in, officer_a,
                                                                  provider_b, ledger):
    client = signed_in(officer_a)

    assert client.get(f"/metrics/?provider={provider_b.pk}").status_code == 404
    assert client.get(f"/metrics/on-time.csv?provider={provider_b.pk}").status_code == 404
    assert client.get("/metrics/?provider=99999999999999999999999").status_code == 404


# --- Times: discovery to notification, USPS turnaround ---


@pytest.fixture
def filings(provider_a, provider_b):
    filed(provider_a, at(1, 3, 10), at(1, 3, 13), triaged_at=at(1, 4, 13))   # 3 h, 24 h
    filed(provider_a, at(1, 10), at(1, 10, 20), triaged_at=at(1, 10, 22))    # 20 h, 2 h
    filed(provider_a, at(2, 1), at(2, 2, 6), triaged_at=at(2, 5, 6))         # 30 h, 72 h
    filed(provider_a, at(3, 1), at(3, 1, 8))                                 # 8 h
    filed(provider_a, datetime(2025, 12, 1, tzinfo=UTC),
          datetime(2025, 12, 1, 1, tzinfo=UTC))                              # before
    IncidentFactory(provider=provider_a, discovered_at=at(3, 2))             # a draft
    filed(provider_b, at(1, 5), at(1, 8))                                    # 72 h


def test_it_distributes_the_time_from_discovery_to_notification(signed_in, officer_a,
                                                                filings):
    rows = rows_of(signed_in(officer_a), "notification-time")

    assert [(r["hours from discovery to notification"], r["incidents"]) for r in rows] == [
        ("6 h or less", "1"), ("6 to 12 h", "1"), ("12 to 18 h", "0"), ("18 to 24 h", "1"),
        ("over 24 h, to 48 h (late)", "1"), ("over 48 h (late)", "0"),
        ("median hours", "14.0"), ("incidents filed", "4")]


def test_a_notification_filed_at_exactly_24_hours_counts_as_on_time(signed_in, officer_a,
                                                                    provider_a):
    for hours in (6, 24, 48):
        filed(provider_a, at(2, 1), at(2, 1) + timedelta(hours=hours))

    rows = rows_of(signed_in(officer_a), "notification-time")

    assert [(r["hours from discovery to notification"], r["incidents"]) for r in rows][:6] == [
        ("6 h or less", "1"), ("6 to 12 h", "0"), ("12 to 18 h", "0"), ("18 to 24 h", "1"),
        ("over 24 h, to 48 h (late)", "1"), ("over 48 h (late)", "0")]


def test_it_takes_every_providers_filings_for_usps(signed_in, reviewer, filings):
    rows = rows_of(signed_in(reviewer), "notification-time")

    figures = {r["hours from discovery to notification"]: r["incidents"] for r in rows}
    assert figures["over 48 h (late)"] == "1"
    assert figures["median hours"] == "20.0"
    assert figures["incidents filed"] == "5"


def test_it_measures_usps_time_from_filing_to_triage(signed_in, reviewer, provider_a,
                                                      filings):
    rows = rows_of(signed_in(reviewer), "usps-turnaround",
                   f"{PERIOD}&provider={provider_a.pk}")

    assert [(r["time taken"], r["filings triaged"]) for r in rows] == [
        ("under 1 day", "1"), ("1 to 2 days", "1"), ("2 to 5 days", "1"),
        ("5 to 10 days", "0"), ("10 days or more", "0"),
        ("median hours, filing to triage", "24.0"), ("median hours, report to review", "")]


def test_it_measures_usps_time_from_report_to_review(signed_in, officer_a, reviewer):
    from reports import services

    for filed_at, hours in ((at(2, 1, 9), 30), (at(2, 10, 9), 130), (at(3, 1, 9), 4)):
        case = case_under_review(officer_a, at=filed_at - timedelta(hours=2))
        report, _ = file_report_at(officer_a, case, "written", at=filed_at)
        with time_machine.travel(filed_at + timedelta(hours=hours), tick=False):
            services.accept_report(actor=reviewer, report=report)

    rows = rows_of(signed_in(reviewer), "usps-turnaround")

    assert [(r["time taken"], r["reports reviewed"]) for r in rows][:5] == [
        ("under 1 day", "1"), ("1 to 2 days", "1"), ("2 to 5 days", "0"),
        ("5 to 10 days", "1"), ("10 days or more", "0")]
    assert rows[-1]["reports reviewed"] == "" and rows[-1]["filings triaged"] == "30.0"


def test_it_keeps_usps_turnaround_from_provider_staff(signed_in, officer_a, filings):
    client = signed_in(officer_a)

    assert client.get(f"/metrics/usps-turnaround.csv?{PERIOD}").status_code == 404
    page = client.get(f"/metrics/?{PERIOD}")
    assert b"USPS turnaround" not in page.content


# --- Open cases by risk, backlog ---


@pytest.fixture
def caseload(provider_a, provider_b):
    with time_machine.travel(at(1, 1), tick=False):
        i1 = filed(provider_a, at(1, 3), at(1, 3, 1), revenue_risk="high", closed_at=at(2, 1),
                   status=IncidentStatus.CLOSED)
        i2 = filed(provider_a, at(1, 10), at(1, 10, 1), revenue_risk="high")
        i3 = filed(provider_a, at(2, 1), at(2, 2), revenue_risk="low", closed_at=at(4, 10),
                   status=IncidentStatus.CLOSED)
        i4 = filed(provider_a, at(3, 1), at(3, 1, 1))
        filed(provider_a, datetime(2025, 12, 1, tzinfo=UTC),
              datetime(2025, 12, 1, 1, tzinfo=UTC), revenue_risk="critical")
        filed(provider_b, at(1, 5), at(1, 6), revenue_risk="moderate")
        n, s = ObligationKind.WRITTEN_REPORT, ObligationState
        duty(provider_a, n, at(1, 20), s.MET, met_at=at(1, 15), incident_id=i1.pk)
        duty(provider_a, n, at(2, 20), s.OPEN, incident_id=i2.pk)
        duty(provider_a, n, at(3, 20), s.WAIVED, incident_id=i4.pk)
        duty(provider_a, n, at(3, 25), s.MET, met_at=at(4, 5), incident_id=i3.pk)
        duty(provider_a, n, at(1, 25), s.OPEN, incident_id=i1.pk)  # its case is closed


def test_it_counts_open_cases_and_duties_by_revenue_risk(signed_in, officer_a, caseload):
    rows = rows_of(signed_in(officer_a), "open-by-risk")

    assert [(r["revenue risk"], r["open cases"], r["duties owed on them"]) for r in rows] == [
        ("Low", "1", "1"), ("Moderate", "0", "0"), ("High", "1", "1"),
        ("Critical", "1", "0"), ("Not yet set", "1", "0")]


def test_it_draws_the_backlog_at_each_months_end(signed_in, officer_a, caseload):
    rows = rows_of(signed_in(officer_a), "backlog")

    assert [(r["month"], r["open cases at its end"], r["duties owed at its end"])
            for r in rows] == [("2026-01", "3", "3"), ("2026-02", "3", "3"),
                               ("2026-03", "4", "3")]


def test_it_counts_usps_backlog_for_all_providers(signed_in, reviewer, caseload):
    rows = rows_of(signed_in(reviewer), "backlog")

    assert rows[0]["open cases at its end"] == "4"


# --- The page ---


def test_it_shows_each_figure_with_its_chart_table_picker_and_csv(signed_in, reviewer,
                                                                  ledger):
    response = signed_in(reviewer).get(f"/metrics/?{PERIOD}")

    assert response.status_code == 200
    html = response.content.decode()
    for slug in ("on-time", "notification-time", "usps-targets", "usps-turnaround",
                 "open-by-risk", "late-missed", "backlog"):
        assert f'id="{slug}"' in html
        assert f'name="{slug}-from"' in html
        assert f'href="/metrics/{slug}.csv?from=2026-01-01&amp;to=2026-03-31"' in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 7
    assert html.count('role="img"') == 7
    assert "<td>33.3</td>" in html


def test_it_gives_each_figure_its_own_period(signed_in, officer_a, ledger):
    response = signed_in(officer_a).get(f"/metrics/?{PERIOD}&on-time-from=2026-02-01")

    on_time, late = (next(f for f in response.context["figures"] if f.slug == slug)
                     for slug in ("on-time", "late-missed"))
    assert [row[0] for row in on_time.rows] == ["2026-02", "2026-02", "2026-03"]
    assert [row[0] for row in late.rows] == ["2026-01", "2026-02", "2026-03"]


def test_it_refuses_a_period_that_ends_before_it_starts(signed_in, officer_a, ledger):
    client = signed_in(officer_a)

    page = client.get("/metrics/?on-time-from=2026-03-01&on-time-to=2026-01-31")
    csv_answer = client.get("/metrics/on-time.csv?from=2026-03-01&to=2026-01-31")

    assert page.status_code == 400
    assert "The period ends (2026-01-31) before it starts (2026-03-01)." in \
        page.content.decode()
    assert b'id="backlog"' in page.content  # the other figures still show
    assert csv_answer.status_code == 400
    assert csv_answer.content == b"The period ends (2026-01-31) before it starts (2026-03-01)."


@pytest.mark.parametrize("query, message", [
    ("from=2026-13-01", "Give the first day as YYYY-MM-DD."),
    ("to=3000-01-01", "The last day must lie between the years 1990 and 2100."),
    ("from=1990-01-01&to=2026-01-01", "Choose a period of at most 120 months."),
])
def test_it_refuses_periods_it_cannot_use(signed_in, officer_a, query, message):
    response = signed_in(officer_a).get(f"/metrics/backlog.csv?{query}")

    assert response.status_code == 400
    assert response.content.decode() == message


def test_it_answers_404_for_a_figure_that_does_not_exist(signed_in, reviewer):
    assert signed_in(reviewer).get("/metrics/nothing.csv").status_code == 404


def test_it_draws_the_page_in_a_fixed_number_of_queries(signed_in, reviewer, provider_a,
                                                        django_assert_num_queries):
    client = signed_in(reviewer)
    with django_assert_num_queries(13):
        client.get(f"/metrics/?{PERIOD}")
    for month in (1, 2, 3):
        for _ in range(5):
            duty(provider_a, ObligationKind.NOTIFICATION, at(month, 3), ObligationState.MET,
                 met_at=at(month, 2))
            filed(provider_a, at(month, 2), at(month, 2, 5), triaged_at=at(month, 3))

    with django_assert_num_queries(13):
        client.get(f"/metrics/?{PERIOD}")


def test_the_page_says_whose_figures_it_shows(signed_in, officer_a, reviewer, provider_a):
    def whose(user, query=""):
        html = signed_in(user).get(f"/metrics/{query}").content.decode()
        return re.search(r'data-testid="metrics-whose">([^<]*)<', html).group(1)

    assert whose(officer_a) == "Alpha Postage"  # their own provider's, never "all"
    assert whose(reviewer) == "all providers"
    assert whose(reviewer, f"?provider={provider_a.pk}") == "Alpha Postage"


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/metrics/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_notification_filed_in_its_due_times_last_second_is_charted_on_time(signed_in,
                                                                            officer_a):
    """Filed 24 h and 0.4 s after discovery: within the due time's last second, on time
    as the filing itself is (`is_late`), so in the chart's last bucket before 'late'."""
    from tests.incidents.factories import make_filed

    discovered = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)
    incident = make_filed(officer_a, at=discovered + timedelta(hours=24, milliseconds=400),
                          discovered_at=discovered)
    late = make_filed(officer_a, at=discovered + timedelta(hours=24, seconds=1),
                      discovered_at=discovered, late_reason="Storm.")
    assert (incident.is_late, late.is_late) == (False, True)

    with time_machine.travel(datetime(2026, 4, 1, tzinfo=UTC), tick=False):
        response = signed_in(officer_a).get(
            "/metrics/notification-time.csv?from=2026-02-01&to=2026-02-28")
    rows = {r["hours from discovery to notification"]: r["incidents"]
            for r in as_dicts(response)}

    assert (rows["18 to 24 h"], rows["over 24 h, to 48 h (late)"]) == ("1", "1")

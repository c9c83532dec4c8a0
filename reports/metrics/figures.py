"""Each figure of the metrics page: its numbers (a table), its chart and its CSV rows,
for one period and one scope."""

from dataclasses import dataclass, field

from compliance.models import ObligationKind
from compliance.models.obligations import PROVIDER_KINDS, USPS_KINDS
from incidents.models import RevenueRisk

from . import queries
from .period import PeriodError, parse_period
from .svg import bar_chart, line_chart

RISK_LABELS = dict(RevenueRisk.choices)


@dataclass
class Scope:
    """What the viewer may count: querysets already through the door (and narrowed to one
    provider when USPS chose one)."""

    incidents: object
    ledger: object  # every obligation the viewer may see: duties and USPS's targets
    obligations: object  # providers' duties under § 501.11
    reviews: object
    usps: bool
    results: dict = field(default_factory=dict)

    def once(self, function, queryset, period):
        """`function(queryset, period)`, computed once per request for the same period:
        figures that share a query (and a period) share its rows."""
        key = (function.__name__, period)
        if key not in self.results:
            self.results[key] = function(queryset, period)
        return self.results[key]


@dataclass
class Figure:
    slug: str
    title: str
    about: str
    headers: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    chart: str = ""
    notes: list = field(default_factory=list)
    period: object = None
    error: str = ""


def _month(day):
    return f"{day:%Y-%m}"


def on_time(scope, period):
    rows = queries.on_time(scope.once(queries.ledger_by_month, scope.ledger, period),
                           PROVIDER_KINDS, "clause")
    months = period.months()
    # The clauses the rows name: a proceeding's periods fall under its own section.
    clauses = sorted({r["clause"] for r in rows})
    by_key = {(r["month"], r["clause"]): r for r in rows}
    series = [(clause, [by_key.get((m, clause), {}).get("rate") for m in months])
              for clause in clauses]
    return {
        "headers": ["month", "clause", "due", "met on time", "met late", "missed", "waived",
                    "open", "on-time rate (%)"],
        "rows": [[_month(r["month"]), r["clause"], r["due"], r["met"], r["late"],
                  r["missed"], r["waived"], r["open"], r["rate"]] for r in rows],
        "chart": line_chart("on-time", "On-time rate per clause, by month of the due time",
                            [_month(m) for m in months], series, y_unit="%", y_max=100),
    }


def usps_targets(scope, period):
    rows = queries.on_time(scope.once(queries.ledger_by_month, scope.ledger, period),
                           USPS_KINDS, "kind")
    months = period.months()
    kinds = [kind for kind in USPS_KINDS if any(r["kind"] == kind for r in rows)]
    by_key = {(r["month"], r["kind"]): r for r in rows}
    labels = dict(ObligationKind.choices)
    series = [(labels[kind].removesuffix(" (USPS target)"),
               [by_key.get((m, kind), {}).get("rate") for m in months]) for kind in kinds]
    return {
        "headers": ["month", "target", "due", "met on time", "met late", "missed", "waived",
                    "open", "on-time rate (%)"],
        "rows": [[_month(r["month"]), labels[r["kind"]], r["due"], r["met"], r["late"],
                  r["missed"], r["waived"], r["open"], r["rate"]] for r in rows],
        "chart": line_chart("usps-targets", "USPS targets met on time, by kind and month",
                            [_month(m) for m in months], series, y_unit="%", y_max=100),
    }


def notification_time(scope, period):
    figures = scope.once(queries.filing_times, scope.incidents, period)["notification"]
    labels = [label for label, _ in figures["buckets"]]
    return {
        "headers": ["hours from discovery to notification", "incidents"],
        "rows": [[label, n] for label, n in figures["buckets"]],
        "notes": [("median hours", figures["median"]), ("incidents filed", figures["total"])],
        "chart": bar_chart("notification-time", "Hours from discovery to notification",
                           labels, [("incidents", [n for _, n in figures["buckets"]])]),
    }


def usps_turnaround(scope, period):
    triage = scope.once(queries.filing_times, scope.incidents, period)["triage"]
    review = queries.report_to_review(scope.reviews, period)
    labels = [label for label, _ in triage["buckets"]]
    return {
        "headers": ["time taken", "filings triaged", "reports reviewed"],
        "rows": [[label, t, r] for (label, t), (_, r) in zip(triage["buckets"],
                                                            review["buckets"], strict=True)],
        "notes": [("median hours, filing to triage", triage["median"]),
                  ("median hours, report to review", review["median"])],
        "chart": bar_chart("usps-turnaround", "USPS turnaround: filing to triage, report to "
                           "review", labels, [("filing to triage", [n for _, n in
                                                                     triage["buckets"]]),
                                              ("report to review", [n for _, n in
                                                                    review["buckets"]])]),
    }


def open_by_risk(scope, period):
    rows = queries.open_by_risk(scope.incidents, scope.obligations, period)
    labels = [RISK_LABELS.get(r["risk"], "Not yet set") for r in rows]
    return {
        "headers": ["revenue risk", "open cases", "duties owed on them"],
        "rows": [[label, r["cases"], r["duties"]] for label, r in zip(labels, rows,
                                                                       strict=True)],
        "chart": bar_chart("open-by-risk", "Open cases and duties owed by revenue risk, at "
                           "the period's end", labels,
                           [("open cases", [r["cases"] for r in rows]),
                            ("duties owed", [r["duties"] for r in rows])]),
    }


def late_missed(scope, period):
    rows = queries.late_and_missed(queries.on_time(
        scope.once(queries.ledger_by_month, scope.ledger, period), PROVIDER_KINDS, "clause"),
        period)
    labels = [_month(r["month"]) for r in rows]
    return {
        "headers": ["month", "met late", "missed"],
        "rows": [[_month(r["month"]), r["late"], r["missed"]] for r in rows],
        "chart": bar_chart("late-missed", "Duties met late and missed, by month of the due "
                           "time", labels, [("met late", [r["late"] for r in rows]),
                                            ("missed", [r["missed"] for r in rows])]),
    }


def backlog(scope, period):
    rows = queries.backlog(scope.incidents, scope.obligations, period)
    labels = [_month(r["month"]) for r in rows]
    return {
        "headers": ["month", "open cases at its end", "duties owed at its end"],
        "rows": [[_month(r["month"]), r["cases"], r["duties"]] for r in rows],
        "chart": line_chart("backlog", "Backlog at the end of each month", labels,
                            [("open cases", [r["cases"] for r in rows]),
                             ("duties owed", [r["duties"] for r in rows])]),
    }


# slug -> (title, what it shows, function, USPS only)
FIGURES = {
    "on-time": ("On-time rate per clause",
                "Duties met on time among those met, met late or missed, by the month their "
                "original due time falls in.", on_time, False),
    "notification-time": ("Time from discovery to notification",
                          "Incidents filed in the period, by hours from discovery to filing "
                          "(24 hours is the § 501.11(b) limit).", notification_time, False),
    "usps-targets": ("USPS's own targets",
                     "USPS's targets (triage, report review, extension decision, procedures "
                     "review) met on time, by the month their target falls in. Internal to "
                     "USPS.", usps_targets, True),
    "usps-turnaround": ("USPS turnaround",
                        "Filings of the period by time to triage, and reports filed in the "
                        "period by time to USPS's decision.", usps_turnaround, True),
    "open-by-risk": ("Open cases and duties by revenue risk",
                     "Cases filed and not closed at the period's end, and the duties still "
                     "owed on them then.", open_by_risk, False),
    "late-missed": ("Late and missed duties",
                    "Duties met late and duties missed, by the month of their original due "
                    "time.", late_missed, False),
    "backlog": ("Backlog over time",
                "Cases open and duties owed at the end of each month.", backlog, False),
}


def figures_for(user):
    return [slug for slug, (*_, usps_only) in FIGURES.items() if user.is_usps or not usps_only]


def build_figure(slug, scope, params):
    """The figure `slug` for the period its picker names in `params` (`<slug>-from`,
    `<slug>-to`, else `from`/`to`, else the last twelve months)."""
    title, about, compute, _ = FIGURES[slug]
    figure = Figure(slug=slug, title=title, about=about)
    try:
        figure.period = parse_period(params, prefix=f"{slug}-")
    except PeriodError as exc:
        figure.error = str(exc)
        return figure
    for key, value in compute(scope, figure.period).items():
        setattr(figure, key, value)
    return figure

"""The figures, each one aggregate query (or two) whatever the number of rows.

Every function takes the querysets of what the viewer may see (already through the door
and, for USPS looking at one provider, narrowed to it) and a Period. Rows are counted with
COUNT(*), which lets PostgreSQL answer from an index alone where one holds the columns.
"""

from datetime import UTC, timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth

from compliance.aggregates import HoursBetween, Median
from compliance.models import ObligationState
from incidents.models import RevenueRisk

RISKS = [*RevenueRisk.values, None]  # None: not yet set


def rate(part, whole):
    """part / whole as a percentage with one decimal, None when nothing was decided."""
    return round(100.0 * part / whole, 1) if whole else None


def _count(column, condition=None, **lookups):
    """Rows meeting a condition, counted on `column` (never null in those rows): COUNT(*)
    takes no filter in Django, and the primary key would send PostgreSQL to the table."""
    condition = condition if condition is not None else Q(**lookups)
    return Count(column, filter=condition)


STATE_COUNTS = ("due", "met", "late", "missed", "waived", "open")


def ledger_by_month(ledger, period):
    """Per month (of the original due time), kind and clause: duties due, met on time, met
    late, missed, waived and still open; one query for providers' duties and USPS's
    targets alike. A duty counts in the month its original due time falls in."""
    due_time = "original_due_at"
    rows = (ledger.filter(original_due_at__gte=period.start, original_due_at__lt=period.end)
            .annotate(month=TruncMonth("original_due_at", tzinfo=UTC))
            .values("month", "kind", "clause").order_by("month", "kind", "clause")
            .annotate(due=Count("*"),
                      met=_count(due_time, state=ObligationState.MET),
                      late=_count(due_time, state=ObligationState.LATE),
                      missed=_count(due_time, state=ObligationState.MISSED),
                      waived=_count(due_time, state=ObligationState.WAIVED),
                      open=_count(due_time, state=ObligationState.OPEN)))
    return [{**row, "month": row["month"].date()} for row in rows]


def on_time(ledger_rows, kinds, group):
    """The rows of `ledger_by_month` for `kinds`, summed per month and `group` ("clause"
    or "kind"), each with its on-time rate among those decided (met, late or missed)."""
    totals = {}
    for row in ledger_rows:
        if row["kind"] not in kinds:
            continue
        key = (row["month"], row[group])
        total = totals.setdefault(key, {"month": row["month"], group: row[group],
                                        **dict.fromkeys(STATE_COUNTS, 0)})
        for name in STATE_COUNTS:
            total[name] += row[name]
    result = [totals[key] for key in sorted(totals)]
    for row in result:
        row["rate"] = rate(row["met"], row["met"] + row["late"] + row["missed"])
    return result


def late_and_missed(on_time_rows, period):
    """Per month of the period: duties met late and duties missed (from the rows of
    `on_time` for the same period: no query of its own)."""
    counts = {m: {"month": m, "late": 0, "missed": 0} for m in period.months()}
    for row in on_time_rows:
        counts[row["month"]]["late"] += row["late"]
        counts[row["month"]]["missed"] += row["missed"]
    return list(counts.values())


def hours_distributions(queryset, measures):
    """For each measure, how many rows fall in each bucket of hours and the median, in one
    query. `measures` maps a name to (end field, start field, buckets); buckets are
    contiguous (label, low, high), the last with high None. A row whose end is empty (not
    yet triaged, say) counts in no bucket and not in the median."""
    annotations, aggregates = {}, {}
    for name, (end, start, buckets) in measures.items():
        annotations[f"{name}_hours"] = HoursBetween(F(end), F(start))
        aggregates[f"{name}_total"] = Count(end)
        aggregates[f"{name}_median"] = Median(f"{name}_hours")
        # Cumulative counts below each upper bound, compared as times (end < start + high
        # hours): far cheaper per row than hours computed again for every bucket.
        for n, (_, _, high) in enumerate(buckets[:-1]):
            aggregates[f"{name}_below{n}"] = _count(
                end, Q(**{f"{end}__lt": F(start) + timedelta(hours=high)}))
    figures = queryset.annotate(**annotations).aggregate(**aggregates)
    result = {}
    for name, (_, _, buckets) in measures.items():
        below = [figures[f"{name}_below{n}"] for n in range(len(buckets) - 1)]
        below.append(figures[f"{name}_total"])
        counts = [count - (below[n - 1] if n else 0) for n, count in enumerate(below)]
        median = figures[f"{name}_median"]
        result[name] = {
            "buckets": [(label, count) for (label, _, _), count in zip(buckets, counts,
                                                                       strict=True)],
            "total": figures[f"{name}_total"],
            "median": None if median is None else round(median, 1),
        }
    return result


NOTIFICATION_BUCKETS = [("under 6 h", 0, 6), ("6 to 12 h", 6, 12), ("12 to 18 h", 12, 18),
                        ("18 to 24 h", 18, 24), ("24 to 48 h (late)", 24, 48),
                        ("48 h or more (late)", 48, None)]
TURNAROUND_BUCKETS = [("under 1 day", 0, 24), ("1 to 2 days", 24, 48),
                      ("2 to 5 days", 48, 120), ("5 to 10 days", 120, 240),
                      ("10 days or more", 240, None)]


def filing_times(incidents, period):
    """Incidents filed in the period: hours from discovery to filing (`notification`) and,
    for those triaged, from filing to triage (`triage`); one query."""
    filed = incidents.filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
    return hours_distributions(filed, {
        "notification": ("submitted_at", "discovered_at", NOTIFICATION_BUCKETS),
        "triage": ("triaged_at", "submitted_at", TURNAROUND_BUCKETS),
    })


def report_to_review(reviews, period):
    """Reviews of report versions filed in the period: hours from filing to decision."""
    # A decision never precedes the filing it decides: the bound on `decided_at` adds no
    # condition, only an index range that keeps older reviews out of the join.
    decided = reviews.filter(version__submitted_at__gte=period.start,
                             version__submitted_at__lt=period.end,
                             decided_at__gte=period.start)
    return hours_distributions(decided, {
        "review": ("decided_at", "version__submitted_at", TURNAROUND_BUCKETS)})["review"]


def open_by_risk(incidents, obligations, period):
    """At the end of the period, per revenue risk: cases open (filed, not closed) and the
    duties still owed on them then (created, neither met nor waived); one query."""
    end = period.end
    owed = (obligations.filter(Q(met_at__isnull=True) | Q(met_at__gte=end),
                               incident_id=OuterRef("pk"), created_at__lt=end)
            .exclude(state=ObligationState.WAIVED)
            .order_by().values("incident_id").annotate(n=Count("*")).values("n"))
    rows = (incidents.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end),
                             submitted_at__lt=end)
            .annotate(owed=Coalesce(Subquery(owed), 0))
            .values("revenue_risk").order_by("revenue_risk")
            .annotate(cases=Count("*"), duties=Sum("owed")))
    found = {row["revenue_risk"]: row for row in rows}
    return [{"risk": risk, "cases": found.get(risk, {}).get("cases", 0),
             "duties": found.get(risk, {}).get("duties") or 0} for risk in RISKS]


def backlog(incidents, obligations, period):
    """At the end of each month of the period: cases open (filed, not yet closed) and
    duties owed (created, not yet met, not waived). One query each, one count per month."""
    ends = period.month_ends()
    cases = incidents.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=ends[0]),
                             submitted_at__lt=ends[-1]).aggregate(**{
        f"m{n}": _count("submitted_at", Q(submitted_at__lt=end) & (
            Q(closed_at__isnull=True) | Q(closed_at__gte=end)))
        for n, end in enumerate(ends)})
    duties = (obligations.filter(Q(met_at__isnull=True) | Q(met_at__gte=ends[0]),
                                 created_at__lt=ends[-1])
              .exclude(state=ObligationState.WAIVED).aggregate(**{
                  f"m{n}": _count("created_at", Q(created_at__lt=end) & (
                      Q(met_at__isnull=True) | Q(met_at__gte=end)))
                  for n, end in enumerate(ends)}))
    return [{"month": month, "cases": cases[f"m{n}"], "duties": duties[f"m{n}"]}
            for n, month in enumerate(period.months())]


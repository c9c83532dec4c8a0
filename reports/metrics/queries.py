"""The figures, each one aggregate query (or two) whatever the number of rows.

Every function takes the querysets of what the viewer may see (already through the door
and, for USPS looking at one provider, narrowed to it) and a Period. Rows are counted with
COUNT(*), which lets PostgreSQL answer from an index alone where one holds the columns.
"""

from collections import Counter
from datetime import UTC, timedelta

from django.db import connections
from django.db.models import Case, CharField, Count, DateTimeField, F, Q, Value, When
from django.db.models.functions import Trunc, TruncMonth

from compliance.aggregates import HoursBetween, Median, until
from compliance.models import AuditEvent, ObligationKind, ObligationState
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
    query. `measures` maps a name to (end field, start field, buckets, bounds); buckets
    are contiguous (label, low, high), the last with high None, and `bounds` says which
    bound a bucket holds (`BELOW` or `UP_TO`). A row whose end is empty (not yet triaged,
    say) counts in no bucket and not in the median."""
    annotations, aggregates = {}, {}
    for name, (end, start, buckets, bounds) in measures.items():
        annotations[f"{name}_hours"] = HoursBetween(F(end), F(start))
        aggregates[f"{name}_total"] = Count(end)
        aggregates[f"{name}_median"] = Median(f"{name}_hours")
        # Up to a bound is in time as a filing is: all of the bound's last second
        # (`deadlines.is_late`), the end read to the whole second.
        compared = end
        if bounds == UP_TO:
            compared = f"{name}_end_second"
            annotations[compared] = Trunc(end, "second", output_field=DateTimeField(),
                                          tzinfo=UTC)
        # Cumulative counts below (or up to) each upper bound, compared as times (end <
        # start + high hours, or <=): far cheaper per row than hours computed again for
        # every bucket.
        for n, (_, _, high) in enumerate(buckets[:-1]):
            aggregates[f"{name}_below{n}"] = _count(
                end, Q(**{f"{compared}__{bounds}": F(start) + timedelta(hours=high)}))
    figures = queryset.annotate(**annotations).aggregate(**aggregates)
    result = {}
    for name, (_, _, buckets, _) in measures.items():
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


# Which bound of its hours a bucket holds: from its low bound to below its high one, or
# from above its low bound up to its high one (a duty done at its due time is on time).
BELOW, UP_TO = "lt", "lte"
# Hours from discovery to notification, UP_TO: filed at exactly 24 hours is on time
# (`deadlines.is_late`).
NOTIFICATION_BUCKETS = [
    ("6 h or less", 0, 6), ("6 to 12 h", 6, 12), ("12 to 18 h", 12, 18),
    ("18 to 24 h", 18, 24), ("over 24 h, to 48 h (late)", 24, 48),
    ("over 48 h (late)", 48, None)]
TURNAROUND_BUCKETS = [("under 1 day", 0, 24), ("1 to 2 days", 24, 48),
                      ("2 to 5 days", 48, 120), ("5 to 10 days", 120, 240),
                      ("10 days or more", 240, None)]


def filing_times(incidents, period):
    """Incidents filed in the period: hours from discovery to filing (`notification`) and,
    for those triaged, from filing to triage (`triage`); one query."""
    filed = incidents.filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
    return hours_distributions(filed, {
        "notification": ("submitted_at", "discovered_at", NOTIFICATION_BUCKETS, UP_TO),
        "triage": ("triaged_at", "submitted_at", TURNAROUND_BUCKETS, BELOW),
    })


def report_to_review(reviews, period):
    """Reviews of report versions filed in the period: hours from filing to decision."""
    decided = reviews.filter(filed_at__gte=period.start, filed_at__lt=period.end)
    return hours_distributions(decided, {
        "review": ("decided_at", "filed_at", TURNAROUND_BUCKETS, BELOW)})["review"]


def open_at(incidents, instant):
    """The cases open at `instant`: filed before it, not closed by then."""
    return (incidents.alias(open_until=until("closed_at"))
            .filter(submitted_at__lt=instant, open_until__gte=instant))


# A waived duty was owed until its waiver (`waived_at`; one waived as its case closed, until
# then, as a missed one is). One waived with no time kept is left out of every instant.
WAIVED_UNTIMED = Q(state=ObligationState.WAIVED, closed_at__isnull=True,
                   waived_at__isnull=True)


def owed_at(obligations, instant):
    """The duties owed at `instant`: created before it, neither met, closed nor waived by
    then."""
    return (obligations.alias(owed_until=until("met_at", "closed_at", "waived_at"))
            .filter(created_at__lt=instant, owed_until__gte=instant)
            .exclude(WAIVED_UNTIMED))


def _joined_counts(rows, key, cases, group):
    """How many of `rows` belong to each value of `group` among `cases`, joining rows'
    `key` to the cases' ids (duties name their case by id alone: no relation to follow).
    Both querysets come through their doors unchanged, as subqueries of one join."""
    rows_sql, rows_params = (rows.order_by().values(joined_case=F(key))
                             .query.sql_with_params())
    cases_sql, cases_params = (cases.order_by().values(case_key=F("pk"), grouped=F(group))
                               .query.sql_with_params())
    with connections[cases.db].cursor() as cursor:
        cursor.execute(f"SELECT c.grouped, COUNT(*) FROM ({rows_sql}) AS r "
                       f"JOIN ({cases_sql}) AS c ON r.joined_case = c.case_key GROUP BY c.grouped",
                       [*rows_params, *cases_params])
        return cursor.fetchall()


def risk_at(incidents, instant):
    """`incidents` with `risk_then`: the revenue risk each had at `instant` as far as the
    case row tells it, none before its first triage (a re-triage since: `_retriaged_since`)."""
    return incidents.annotate(risk_then=Case(
        When(triaged_at__gte=instant, then=Value(None)), default=F("revenue_risk"),
        output_field=CharField()))


def _retriaged_since(cases, instant):
    """{case id: the risk it had at `instant`} of the cases among `cases` (triaged before
    it) whose risk a re-triage changed since: the first such change says what it was."""
    events = (AuditEvent.objects.filter(action="incident.retriaged", at__gte=instant,
                                        case_id__in=cases.values("pk"))
              .order_by("at", "sequence").values_list("case_id", "changes"))
    before = {}
    for case_id, changes in events:
        if "revenue_risk" in (changes or {}):
            before.setdefault(case_id, changes["revenue_risk"][0])
    return before


def open_by_risk(incidents, obligations, period):
    """At the end of the period, per revenue risk as it was then: cases open (filed, not
    closed) and the duties still owed on them then (created, neither met, closed nor
    waived). Two queries over what was open (or owed) then, and one over the re-triages
    since (few, through their own index), whose cases move back to the risk they had."""
    cases = risk_at(open_at(incidents, period.end), period.end)
    owed = owed_at(obligations, period.end)
    case_counts = Counter({row["risk_then"]: row["n"] for row in cases.values("risk_then")
                           .order_by("risk_then").annotate(n=Count("*"))})
    duty_counts = Counter(dict(_joined_counts(owed, "incident_id", cases, "risk_then")))
    before = _retriaged_since(cases.exclude(triaged_at__gte=period.end), period.end)
    if before:
        duties_of = Counter(dict(owed.filter(incident_id__in=list(before))
                                 .values_list("incident_id").annotate(n=Count("*"))
                                 .order_by()))
        for case_id, risk_now in cases.filter(pk__in=list(before)).values_list(
                "pk", "revenue_risk"):
            for counts, n in ((case_counts, 1), (duty_counts, duties_of[case_id])):
                counts[risk_now] -= n
                counts[before[case_id]] += n
    return [{"risk": risk, "cases": case_counts[risk], "duties": duty_counts[risk]}
            for risk in RISKS]


def backlog(incidents, obligations, period):
    """At the end of each month of the period: cases open (filed, not yet closed) and
    duties owed (created, neither met, closed nor waived yet). One query each, one
    count per month, over what was open (or owed) at some month's end and no more.

    The 24-hour notification is owed only while its case is a draft (the filing meets
    it), before the case counts as open or its duties are shown: at a month's end it
    never counts, as in the open cases by risk at that instant."""
    ends = period.month_ends()
    cases = (incidents.alias(open_until=until("closed_at"))
             .filter(open_until__gte=ends[0], submitted_at__lt=ends[-1])
             .aggregate(**{f"m{n}": _count("submitted_at", Q(submitted_at__lt=end,
                                                              open_until__gte=end))
                           for n, end in enumerate(ends)}))
    duties = (obligations.alias(owed_until=until("met_at", "closed_at", "waived_at"))
              .filter(owed_until__gte=ends[0], created_at__lt=ends[-1])
              .exclude(WAIVED_UNTIMED).exclude(kind=ObligationKind.NOTIFICATION)
              .aggregate(**{f"m{n}": _count("created_at", Q(created_at__lt=end,
                                                            owed_until__gte=end))
                            for n, end in enumerate(ends)}))
    return [{"month": month, "cases": cases[f"m{n}"], "duties": duties[f"m{n}"]}
            for n, month in enumerate(period.months())]

"""Deadline arithmetic: pure functions of (policy, time), aware times in, aware UTC times
out. No database here: a service reads the policy in force and `now` once, and passes both
to every function it needs."""

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

NOTIFICATION_WINDOW = timedelta(hours=24)
# USPS counts its own targets on its headquarters' calendar (Washington, D.C.).
USPS_TIME_ZONE = "America/New_York"
# US federal holidays, observed days included (a Saturday holiday is observed on Friday).
# The calendar fills in a year the first time it is asked about one, and that is not safe
# between threads (a web process serves requests in several): two requests filling in two
# years at once could leave one without its holidays. A lock makes each lookup whole.
FEDERAL_HOLIDAYS = holidays.country_holidays("US", observed=True)
_HOLIDAYS_LOCK = threading.Lock()


def require_aware(value: datetime, name: str = "time") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must carry a time zone offset")
    return value


def notification_due_at(discovered_at: datetime) -> datetime:
    """§ 501.11(b): 24 elapsed hours after discovery, whatever the local clocks do meanwhile."""
    require_aware(discovered_at, "discovered_at")
    return discovered_at.astimezone(UTC) + NOTIFICATION_WINDOW


def past_due(at: datetime) -> datetime:
    """What a due time is held against at `at`: `at` to the whole second. Due times are
    stated to the second (a day's ends at 23:59:59 there) and times are kept to the
    microsecond, so all of a due time's last second is still in time."""
    return require_aware(at).replace(microsecond=0)


def is_late(due_at: datetime, at: datetime) -> bool:
    """Late when done after the second of the due time has passed (`past_due`)."""
    return past_due(at) > require_aware(due_at)


def end_of_day(day: date, zone_name: str) -> datetime:
    """The last second of `day` in the zone `zone_name` (23:59:59 there), as an aware UTC
    time: a deadline "by the end of" a day ends here. It is the second before the next day
    starts, so where the clocks go back at midnight (Santiago, Cairo, Beirut) it is the
    second, later 23:59:59."""
    return start_of_day(day + timedelta(days=1), zone_name) - timedelta(seconds=1)


def is_business_day(day: date) -> bool:
    """Monday to Friday, and not a US federal holiday (nor the day one is observed)."""
    if day.weekday() >= 5:
        return False
    with _HOLIDAYS_LOCK:
        return day not in FEDERAL_HOLIDAYS


def add_business_days(day: date, count: int) -> date:
    """The `count`-th business day after `day` (`day` itself never counts)."""
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def days_later_end_of_day(at: datetime, days: int, zone_name: str) -> datetime:
    """The end (23:59:59 in `zone_name`) of the day that lies `days` calendar days after
    `at`'s own day there: a period "within 30 days" of a notice dated `at`."""
    require_aware(at, "at")
    day = at.astimezone(ZoneInfo(zone_name)).date() + timedelta(days=int(days))
    return end_of_day(day, zone_name)


# --- The policy's windows per revenue risk ---------------------------------------------
# A case with no revenue risk yet (or a risk a policy version lacks) takes these.
FALLBACK_WINDOW = {"written_report_days": 14, "status_report_interval_days": 30}


def risk_window(policy, risk, field):
    """Whole days of `field` (`written_report_days` or `status_report_interval_days`) for
    `risk` under `policy`."""
    window = (policy.risk_windows or {}).get(risk or "", {})
    return int(window.get(field, FALLBACK_WINDOW[field]))


def written_report_due_at(policy, risk, at: datetime) -> datetime:
    """The written report is due the policy's whole number of elapsed days after triage
    at `at`, in UTC."""
    require_aware(at, "at")
    return at.astimezone(UTC) + timedelta(days=risk_window(policy, risk,
                                                           "written_report_days"))


def status_report_interval(policy, risk, case_days=None) -> timedelta:
    """Time between status reports: the case's own number of days, else the policy's for
    its revenue risk."""
    return timedelta(days=int(case_days) if case_days else risk_window(
        policy, risk, "status_report_interval_days"))


def resubmission_due_at(policy, risk, at: datetime, zone_name: str) -> datetime:
    """A returned report's corrected version, when USPS names no time: by the end of the
    day (provider's zone) that lies the policy's written-report window after `at`."""
    return days_later_end_of_day(at, risk_window(policy, risk, "written_report_days"),
                                 zone_name)


def proceeding_period_due_at(policy, period: str, at: datetime, zone_name: str,
                             risk=None) -> datetime:
    """The end of a proceeding's period that starts with a step dated `at`: the policy's
    days for `period` (`correction` per revenue risk, `defense`, `appeal`), counted as
    calendar days and ending at 23:59:59 in the provider's zone."""
    return days_later_end_of_day(at, policy.proceeding_days(period, risk), zone_name)


def suspension_ends_at(effective_day: date, days: int, zone_name: str) -> datetime:
    """A suspension effective on `effective_day` for `days` days ends at the end of its
    last day (provider's zone); the provider is authorized again from then."""
    return end_of_day(effective_day + timedelta(days=int(days) - 1), zone_name)


def start_of_day(day: date, zone_name: str) -> datetime:
    """00:00:00 of `day` in the zone `zone_name`, as an aware UTC time: when a change
    "effective on" that day takes effect. Where the clocks skip midnight it is the day's
    first instant (01:00 there)."""
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


def usps_target_due_at(policy, kind: str, at: datetime) -> datetime:
    """USPS's target for an item of `kind` that reached it at `at`: the end (USPS time) of
    the day that lies the policy's number of business or calendar days after `at`'s day.

    Filed on Friday with a 2-business-day target, an item is due by the end of Tuesday;
    a federal holiday on Monday makes it Wednesday."""
    require_aware(at, "at")
    target = policy.usps_target(kind)
    day = at.astimezone(ZoneInfo(USPS_TIME_ZONE)).date()
    days = int(target["days"])
    due_day = add_business_days(day, days) if target["business_days"] else (
        day + timedelta(days=days))
    return end_of_day(due_day, USPS_TIME_ZONE)


# --- Reminder and escalation schedule -------------------------------------------------
# A step is (key, at, audience): audience "provider" before the due time; "escalation"
# once it is past (its last second gone by) and after; "escalation+managers" once the
# managers' threshold has passed.

PROVIDER = "provider"
ESCALATION = "escalation"
ESCALATION_WITH_MANAGERS = "escalation+managers"
# USPS targets: reminders to the reviewer before the target, and one escalation to the
# USPS managers when it passes.
USPS_REMINDER = "usps_reminder"
USPS_ESCALATION = "usps_escalation"


def reminder_schedule(due_at, offsets_hours, escalation, usps_target=False):
    """Every reminder and escalation step for a duty due at `due_at`, earliest first.

    Step keys carry the due instant, so a moved deadline gets a fresh set of steps. A USPS
    target (`usps_target`) has its reminders and a single escalation at its due time.
    """
    return list(_schedule(due_at, offsets_hours, escalation, usps_target))


def _schedule(due_at, offsets_hours, escalation, usps_target):
    """`reminder_schedule`, a step at a time: a walk that stops early computes no more."""
    require_aware(due_at, "due_at")
    due = due_at.astimezone(UTC)
    stamp = _stamp(due)
    for h in sorted({float(h) for h in offsets_hours if float(h) > 0}, reverse=True):
        yield (f"{stamp}:before-{h:g}h", due - timedelta(hours=h),
               USPS_REMINDER if usps_target else PROVIDER)
    # Escalations start once the due time is past: all of its last second is in time.
    # Each is named by its time after the first, as reminders are by theirs before the due
    # time: a new policy's escalation at another time is another step, not one already
    # sent under its number.
    past = past_due(due) + timedelta(seconds=1)
    if usps_target:
        yield (f"{stamp}:overdue-0h", past, USPS_ESCALATION)
        return
    gaps = [float(g) for g in escalation.get("repeat_after_hours", [])] or [24.0]
    managers_after = timedelta(hours=float(escalation.get("managers_after_hours", 24)))
    count = int(escalation.get("max_escalations", 10))
    at = past
    for n in range(count):
        audience = ESCALATION_WITH_MANAGERS if at - due >= managers_after else ESCALATION
        yield (f"{stamp}:overdue-{(at - past).total_seconds() / 3600:g}h", at, audience)
        at = at + timedelta(hours=gaps[min(n, len(gaps) - 1)])


def _stamp(due_at):
    return due_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def step_applies(step_key, due_at):
    """Whether a step of the schedule is still one for a duty now due at `due_at`: a moved
    deadline has a fresh schedule, and the old one's steps no longer apply."""
    return step_key.partition(":")[0] == _stamp(require_aware(due_at, "due_at"))


def next_step_at(due_at, offsets_hours, escalation, after, usps_target=False):
    """When the first step strictly after `after` falls, or None when none is left."""
    for _, at, _ in _schedule(due_at, offsets_hours, escalation, usps_target):
        if after is None or at > after:
            return at
    return None


def steps_between(due_at, offsets_hours, escalation, after, until, usps_target=False):
    """Steps with `after` < at <= `until`: what a sweep at `until` has to send."""
    return [
        step for step in reminder_schedule(due_at, offsets_hours, escalation, usps_target)
        if (after is None or step[1] > after) and step[1] <= until
    ]


def steps_due(due_at, offsets_hours, escalation, after, until, usps_target=False):
    """(steps with `after` < at <= `until`, when the next step after `until` falls or None),
    from one walk of the schedule: what a sweep at `until` sends, and when to look again."""
    due, later = [], None
    for step in _schedule(due_at, offsets_hours, escalation, usps_target):
        at = step[1]
        if at > until:
            later = at
            break
        if after is None or at > after:
            due.append(step)
    return due, later

from django.conf import settings
from django.db import models


class RevenueRisk(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


# Internal USPS policy, not regulation: § 501.11(c) leaves the written-report limit to
# the Postal Service "corresponding to the potential revenue risk". Managers change it.
DEFAULT_RISK_WINDOWS = {
    "low": {"written_report_days": 30, "status_report_interval_days": 30},
    "moderate": {"written_report_days": 14, "status_report_interval_days": 14},
    "high": {"written_report_days": 7, "status_report_interval_days": 7},
    "critical": {"written_report_days": 3, "status_report_interval_days": 3},
}
DEFAULT_REMINDER_OFFSETS_HOURS = {
    "notification": [12, 4, 1],
    "written_report": [72, 24, 4],
    "status_report": [48, 4],
    "final_summary": [168, 24],
    "procedures": [168, 24],
    "usps_triage": [8],
    "usps_report_review": [24],
    "usps_extension_decision": [8],
    "usps_procedures_review": [72],
}
# USPS's own targets for what waits on it: `days` after the item arrives, counted in
# business days (weekends and US federal holidays skipped) or in calendar days; the target
# is the end of that day, USPS time.
DEFAULT_USPS_TARGETS = {
    "usps_triage": {"days": 2, "business_days": True},
    "usps_report_review": {"days": 5, "business_days": True},
    "usps_extension_decision": {"days": 2, "business_days": True},
    "usps_procedures_review": {"days": 30, "business_days": False},
}
# After the due time: escalate at due, then again after each gap (hours, the last one
# repeating), and add the USPS managers once `managers_after_hours` have passed.
DEFAULT_ESCALATION = {"repeat_after_hours": [4, 12, 24], "managers_after_hours": 24,
                      "max_escalations": 10}


class DeadlinePolicyQuerySet(models.QuerySet):
    def current(self):
        return self.order_by("-version").first()


class DeadlinePolicy(models.Model):
    """One version of the USPS internal deadline policy. The newest version is in force.

    Deadlines already set are data on each obligation: a new version never moves them.
    """

    version = models.PositiveIntegerField(unique=True)
    risk_windows = models.JSONField(default=dict)
    reminder_offsets_hours = models.JSONField(default=dict)
    escalation = models.JSONField(default=dict)
    usps_targets = models.JSONField(
        default=dict, blank=True,
        help_text="USPS's own targets per kind: {kind: {days, business_days}}.")
    note = models.TextField(blank=True, help_text="What changed and why.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlinePolicyQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "deadline policies"

    def __str__(self):
        return f"Deadline policy v{self.version}"

    @classmethod
    def defaults(cls):
        return cls(version=0, risk_windows=DEFAULT_RISK_WINDOWS,
                   reminder_offsets_hours=DEFAULT_REMINDER_OFFSETS_HOURS,
                   escalation=DEFAULT_ESCALATION, usps_targets=DEFAULT_USPS_TARGETS,
                   note="Built-in defaults.")

    @classmethod
    def in_force(cls):
        """The newest saved version, or the built-in defaults when none was saved."""
        return cls.objects.current() or cls.defaults()

    def offsets_for(self, kind):
        """Hours before due to remind, for `kind`. A version saved before a kind existed
        takes the built-in default for it; an empty list saved on purpose means none."""
        offsets = (self.reminder_offsets_hours or {}).get(kind)
        return DEFAULT_REMINDER_OFFSETS_HOURS.get(kind, []) if offsets is None else offsets

    def usps_target(self, kind):
        """{days, business_days} of USPS's target for `kind` (the default when unset)."""
        target = (self.usps_targets or {}).get(kind)
        return target if target else DEFAULT_USPS_TARGETS[kind]

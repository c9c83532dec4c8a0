from django import forms

from compliance.models import ObligationKind, RevenueRisk
from compliance.models.obligations import USPS_KINDS
from compliance.services.policy import MAX_TARGET_DAYS, RISK_WINDOW_FIELDS, in_force_periods
from compliance.window import MAX_POLICY_HOURS

from .preferences import can_take_digest, kinds_for, locked_kinds


class KindCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes per obligation kind; locked kinds are shown ticked and cannot be changed."""

    def __init__(self, *args, locked=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.locked = set(locked)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.locked:
            option["selected"] = True
            option["attrs"]["checked"] = True
            option["attrs"]["disabled"] = True
        return option


class EmailPreferenceForm(forms.Form):
    """Ticked kinds are the reminder e-mails the user takes; the service stores the rest
    as muted."""

    kinds = forms.MultipleChoiceField(
        choices=ObligationKind.choices, required=False, label="Reminder e-mails I take",
    )
    daily_digest = forms.BooleanField(
        required=False, label="Send me one daily digest of my queue instead of single e-mails",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.locked = locked_kinds(user)
        self.kinds = [kind.value for kind in kinds_for(user)]
        kinds = self.fields["kinds"]
        kinds.choices = [(kind.value, kind.label) for kind in kinds_for(user)]
        kinds.widget = KindCheckboxes(locked=self.locked, choices=kinds.choices)
        if self.locked:
            self.fields["kinds"].help_text = (
                "The 24-hour notification reminders are required by § 501.11(b) and "
                "cannot be turned off for provider staff.")
        if not can_take_digest(user):
            del self.fields["daily_digest"]

    def clean_kinds(self):
        # Disabled checkboxes are not submitted: locked kinds are always taken.
        return set(self.cleaned_data["kinds"]) | self.locked

    @property
    def muted_kinds(self):
        return [kind for kind in self.kinds if kind not in self.cleaned_data["kinds"]]

    @classmethod
    def initial_for(cls, preference):
        muted = set(preference.muted_kinds or [])
        return {"kinds": [k for k in ObligationKind.values if k not in muted],
                "daily_digest": preference.daily_digest}


TARGET_UNITS = [("business", "Business days (weekends and federal holidays skipped)"),
                ("calendar", "Calendar days")]


class HoursListField(forms.CharField):
    """Comma-separated positive hours, e.g. “72, 24, 4”, as a list of numbers."""

    def __init__(self, *args, allow_empty=True, **kwargs):
        kwargs.setdefault("required", not allow_empty)
        super().__init__(*args, **kwargs)
        self.allow_empty = allow_empty

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        hours = []
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                number = float(part)
            except ValueError:
                raise forms.ValidationError(f"“{part}” is not a number of hours.") from None
            if not number > 0 or number == float("inf"):
                raise forms.ValidationError("Each number of hours must be positive.")
            if number > MAX_POLICY_HOURS:
                raise forms.ValidationError(
                    f"At most {MAX_POLICY_HOURS:,} hours (ten years) each.")
            hours.append(int(number) if number.is_integer() else number)
        if not hours and not self.allow_empty:
            raise forms.ValidationError("Give at least one number of hours.")
        return hours


class DeadlinePolicyForm(forms.Form):
    """One new version of the deadline policy; the fields are generated from the risks and
    obligation kinds so that a new kind shows up here by itself."""

    repeat_after_hours = HoursListField(
        allow_empty=False, label="Repeat escalation after (hours)",
        help_text="Gaps between escalations after the due time, e.g. “4, 12, 24”; "
                  "the last one repeats.")
    managers_after_hours = forms.FloatField(
        min_value=0, max_value=MAX_POLICY_HOURS, label="Add USPS managers after (hours overdue)")
    max_escalations = forms.IntegerField(min_value=1, max_value=100,
                                         label="Maximum escalations per deadline")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                           label="What changed and why")
    # The version the page was filled from: saved over another manager's newer one, the
    # form would put back what that one changed.
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for risk in RevenueRisk:
            for field, text in (("written_report_days", "written report within (days)"),
                                ("status_report_interval_days", "status report every (days)")):
                label = f"{risk.label} revenue risk: {text}"
                self.fields[f"{risk.value}__{field}"] = forms.IntegerField(
                    min_value=1, max_value=3650, label=label,
                    widget=forms.NumberInput(attrs={"aria-label": label}))
        for kind in ObligationKind:
            self.fields[f"offsets__{kind.value}"] = HoursListField(
                label=f"{kind.label}: remind before due (hours)",
                help_text="Comma-separated, e.g. “12, 4, 1”; empty for no reminders.")
        for name, label in self.period_labels():
            self.fields[f"period__{name}"] = forms.IntegerField(
                min_value=1, max_value=3650, label=label,
                widget=forms.NumberInput(attrs={"aria-label": label}))
        for kind in USPS_KINDS:
            label = kind.label.replace(" (USPS target)", "")
            self.fields[f"target__{kind.value}__days"] = forms.IntegerField(
                min_value=1, max_value=MAX_TARGET_DAYS, label=f"{label}: target (days)",
                widget=forms.NumberInput(attrs={"aria-label": f"{label}: target in days"}))
            self.fields[f"target__{kind.value}__unit"] = forms.ChoiceField(
                choices=TARGET_UNITS, label=f"{label}: days counted as",
                widget=forms.Select(attrs={"aria-label": f"{label}: days counted as"}))

    @staticmethod
    def period_labels():
        """(field name, label) of each enforcement period: the correction period per
        revenue risk, then the defense, appeal and suspension."""
        return [*((f"correction__{risk.value}",
                   f"Correction period, {risk.label.lower()} revenue risk (days)")
                  for risk in RevenueRisk),
                ("defense", "Defense within (days)"), ("appeal", "Appeal within (days)"),
                ("suspension", "Suspension lasts (days)")]

    @classmethod
    def initial_for(cls, policy):
        periods = in_force_periods(policy)
        initial = {
            "base_version": policy.version,
            "repeat_after_hours": policy.escalation.get("repeat_after_hours", []),
            "managers_after_hours": policy.escalation.get("managers_after_hours"),
            "max_escalations": policy.escalation.get("max_escalations"),
        }
        for risk, windows in policy.risk_windows.items():
            for field in RISK_WINDOW_FIELDS:
                initial[f"{risk}__{field}"] = windows.get(field)
        for risk, days in periods["correction_days"].items():
            initial[f"period__correction__{risk}"] = days
        for period in ("defense", "appeal", "suspension"):
            initial[f"period__{period}"] = periods[f"{period}_days"]
        for kind in ObligationKind:
            initial[f"offsets__{kind.value}"] = policy.offsets_for(kind.value)
        for kind in USPS_KINDS:
            target = policy.usps_target(kind.value)
            initial[f"target__{kind.value}__days"] = target["days"]
            initial[f"target__{kind.value}__unit"] = (
                "business" if target["business_days"] else "calendar")
        return initial

    def risk_rows(self):
        return [(risk.label, self[f"{risk.value}__written_report_days"],
                 self[f"{risk.value}__status_report_interval_days"]) for risk in RevenueRisk]

    def target_rows(self):
        return [(kind.label.replace(" (USPS target)", ""), self[f"target__{kind.value}__days"],
                 self[f"target__{kind.value}__unit"]) for kind in USPS_KINDS]

    def period_fields(self):
        return [self[f"period__{name}"] for name, _ in self.period_labels()]

    def offset_fields(self):
        return [self[f"offsets__{kind.value}"] for kind in ObligationKind]

    def escalation_fields(self):
        return [self[name] for name in ("repeat_after_hours", "managers_after_hours",
                                         "max_escalations")]

    def service_arguments(self):
        data = self.cleaned_data
        managers_after = data["managers_after_hours"]
        return {
            "base_version": data.get("base_version"),
            "risk_windows": {
                risk.value: {field: data[f"{risk.value}__{field}"]
                             for field in RISK_WINDOW_FIELDS}
                for risk in RevenueRisk
            },
            "reminder_offsets_hours": {kind.value: data[f"offsets__{kind.value}"]
                                       for kind in ObligationKind},
            "escalation": {
                "repeat_after_hours": data["repeat_after_hours"],
                "managers_after_hours": (int(managers_after) if managers_after.is_integer()
                                         else managers_after),
                "max_escalations": data["max_escalations"],
            },
            "usps_targets": {
                kind.value: {"days": data[f"target__{kind.value}__days"],
                             "business_days": data[f"target__{kind.value}__unit"] == "business"}
                for kind in USPS_KINDS
            },
            "proceeding_periods": {
                "correction_days": {risk.value: data[f"period__correction__{risk.value}"]
                                    for risk in RevenueRisk},
                **{f"{period}_days": data[f"period__{period}"]
                   for period in ("defense", "appeal", "suspension")},
            },
            "note": data["note"],
        }

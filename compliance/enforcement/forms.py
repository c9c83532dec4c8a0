"""Page forms for the compliance record and proceedings. They shape input for the
services, which hold the rules."""

from django import forms

from compliance.models import (
    Obligation,
    ObligationState,
    Outcome,
    ProceedingKind,
    RevenueRisk,
    StepKind,
)
from compliance.sent_once import SentOnceMixin
from compliance.window import SaneDateFormField

from . import flow
from .cases import case_source


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordPeriodForm(forms.Form):
    """The period of a compliance record: whole days in the provider's time zone."""

    start = SaneDateFormField(label="From", required=False, widget=_date_widget())
    end = SaneDateFormField(label="To", required=False, widget=_date_widget())
    # The query string speaks the API's words.
    NAMES = {"start": "from", "end": "to"}

    def __init__(self, data, **kwargs):
        super().__init__(data, auto_id="period_%s", **kwargs)

    def add_prefix(self, field_name):
        return self.NAMES.get(field_name, field_name)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("start", "Give a first day before the last.")
        return data


def citable_duties(provider):
    """The provider's § 501.11 duties a proceeding may cite: missed or met late."""
    return (Obligation.objects.record_duties()
            .filter(provider=provider, state__in=[ObligationState.MISSED, ObligationState.LATE])
            .order_by("-original_due_at", "-id"))


class OpenProceedingForm(SentOnceMixin, forms.Form):
    kind = forms.ChoiceField(choices=ProceedingKind.choices, widget=forms.RadioSelect,
                             label="Kind of proceeding")
    grounds = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=50_000,
                              label="Grounds",
                              help_text="The deficiencies, or why the sanction: the text of "
                                        "the first notice.")
    obligations = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Duties cited",
        help_text="Missed or met late; frozen into the notice as the record shows them now.")
    incidents = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                          label="Cases cited")
    pes_models = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Limited to PES models",
        help_text="None ticked: the proceeding concerns the provider's whole approval.")
    willful = forms.BooleanField(required=False, label="A willful violation",
                                 help_text="No period to correct (§ 501.6).")
    revenue_risk = forms.ChoiceField(
        required=False, choices=[("", "The gravest among the cases cited"),
                                 *RevenueRisk.choices],
        label="Revenue risk", help_text="The correction period follows it (deadline policy).")
    correction_period_days = forms.IntegerField(
        required=False, min_value=1, max_value=365, label="Days to correct",
        help_text="Instead of the policy's days for the revenue risk.")
    sanction = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               label="Sanction demanded", help_text="A written demand only.")
    amount = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2,
                                label="Revenue losses to recover (US dollars)")

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.duties = {str(o.pk): o for o in citable_duties(provider)}
        self.fields["obligations"].choices = [
            (pk, f"{o.get_kind_display()}: {o.subject} ({o.get_state_display().lower()})")
            for pk, o in self.duties.items()]
        self.fields["incidents"].choices = [(str(pk), label) for pk, label in
                                            case_source().choices(provider.pk)]
        self.models = {str(m.pk): m for m in provider.pes_models.all()}
        self.fields["pes_models"].choices = [(pk, m.name) for pk, m in self.models.items()]

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "provider": self.provider, "kind": data["kind"], "grounds": data["grounds"],
            "obligations": [self.duties[pk] for pk in data["obligations"]],
            "incidents": [int(pk) for pk in data["incidents"]],
            "pes_models": [self.models[pk] for pk in data["pes_models"]],
            "willful": data["willful"], "revenue_risk": data["revenue_risk"],
            "correction_period_days": data["correction_period_days"],
            "sanction": data["sanction"], "amount": data["amount"],
        }


class StepForm(forms.Form):
    """The next step, of a kind the user's side may issue now."""

    kind = forms.ChoiceField(label="Step", error_messages={
        "invalid_choice": "That step is not open to you now: choose one of those offered "
                          "(the page says what comes next, and when)."})
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=50_000,
                           label="Text")
    late_reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Reason for lateness",
        help_text="Required when the period has ended.")
    effective_date = SaneDateFormField(
        required=False, widget=_date_widget(), label="Takes effect on",
        help_text="A notice of suspension (required), a revocation or a reinstatement "
                  "(default today); in the provider's time zone.")
    outcome = forms.ChoiceField(required=False, label="Outcome",
                                help_text="For a decision, or a decision on appeal.")
    days = forms.IntegerField(required=False, min_value=1, max_value=3650, label="Days",
                              help_text="A suspension's length (default the policy's), or "
                                        "the days an extension adds.")
    # The last step the page showed: a step filed since is told, not followed unseen.
    after = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, proceeding, kinds, **kwargs):
        kwargs.setdefault("auto_id", "step_%s")
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, StepKind(k).label) for k in kinds]
        outcomes = {o for k in kinds for o in flow.outcomes_for(proceeding.kind, k)}
        self.fields["outcome"].choices = [("", "—"), *((o.value, o.label) for o in Outcome
                                                      if o in outcomes)]
        provider_side = all(flow.side_of(k) == "provider" for k in kinds)
        for name in (("effective_date", "outcome", "days") if provider_side
                     else ("late_reason",)):
            del self.fields[name]
        if not outcomes and "outcome" in self.fields:
            del self.fields["outcome"]


class AmendForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=50_000,
                           label="Corrected text")
    amendment_reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}),
                                       label="Why it is amended")
    # The version the page showed: one filed since is told, not replaced unseen.
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "amend_%s")
        super().__init__(*args, **kwargs)


class NoteForm(SentOnceMixin, forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=50_000,
                           label="Internal note (USPS only)",
                           help_text="Never shown to the provider, never e-mailed.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)

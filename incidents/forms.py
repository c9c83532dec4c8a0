"""Page forms. They shape input for the services, which hold the rules."""

import zoneinfo
from datetime import UTC, datetime

from django import forms

from compliance.forms import TimeZoneField
from compliance.sent_once import SentOnceMixin
from compliance.window import in_window, window_message

from .models import SUBTYPES_BY_CATEGORY, Category, Subtype

LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


class SubtypeSelect(forms.Select):
    """Each option names the categories it belongs to, so the page can filter them."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["data-categories"] = " ".join(
                c for c, subtypes in SUBTYPES_BY_CATEGORY.items() if value in subtypes)
        return option


class LocalDateTimeField(forms.Field):
    """A wall-clock date and time, without a zone (the form says which zone)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "60"},
                                 format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        for fmt in LOCAL_FORMATS:
            try:
                local = datetime.strptime(str(value).strip(), fmt)
            except ValueError:
                continue
            if not in_window(local.date()):
                raise forms.ValidationError(window_message())
            return local
        raise forms.ValidationError("Enter the date and time, e.g. 2026-03-01 14:30.")


def fold_choice_of(local):
    """"earlier" or "later" for an aware local time the clocks showed twice, as the form's
    choice names it; "" for any other time."""
    if local.utcoffset() == local.replace(fold=1 - local.fold).utcoffset():
        return ""
    return "later" if local.fold else "earlier"


def local_to_aware(local, zone_name, fold_choice="", choosable=True):
    """The instant a wall-clock time names in a zone: (instant, None, None), or
    (None, form field, message) when the time does not exist or is ambiguous (the message
    asks which one when the form offers the choice, `choosable`)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        return None, "discovered_at", (
            f"{local:%Y-%m-%d %H:%M} does not exist in {zone_name}: the clocks jumped "
            "forward that night. Check the time.")
    if first.utcoffset() != second.utcoffset():
        if fold_choice == "earlier":
            return first, None, None
        if fold_choice == "later":
            return second, None, None
        return None, "discovered_at_fold", (
            f"{local:%Y-%m-%d %H:%M} happened twice in {zone_name} (the clocks went back): "
            f"at UTC{first:%z} and then at UTC{second:%z}. "
            + ("Say which one." if choosable else "Choose a time outside that hour."))
    return first, None, None


class IncidentForm(forms.Form):
    category = forms.ChoiceField(choices=[("", "Choose…"), *Category.choices])
    subtype = forms.ChoiceField(choices=[("", "Choose…"), *Subtype.choices],
                                widget=SubtypeSelect)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False,
                                  help_text="What was discovered. Required before filing.")
    discovery_timezone = TimeZoneField(label="Time zone",
                                       help_text="The zone the discoverer stated.")
    discovered_at = LocalDateTimeField(label="Discovered at (local time in that zone)")
    discovered_at_fold = forms.ChoiceField(
        required=False, label="If that time happened twice (clocks went back)",
        choices=[("", "—"), ("earlier", "The first time (summer time)"),
                 ("later", "The second time (standard time)")])
    discovered_by_affiliate = forms.ModelChoiceField(queryset=None, required=False,
                                                     label="Discovered by")
    discovered_by_name = forms.CharField(max_length=200, label="Name of the discoverer")
    pes_models = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Affected PES models",
        help_text="At least one for test findings and security weaknesses.")

    def __init__(self, *args, provider, discovered=None, **kwargs):
        """`discovered`: the draft's discovery time and zone as stored, kept as they are
        when the form sends them back unchanged (the page shows minutes, and one choice
        of a time the clocks showed twice)."""
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.discovered = discovered
        # A draft may be saved without it; filing needs it (the marker says so).
        self.fields["description"].required_when = "to file"
        self.fields["discovered_by_affiliate"].queryset = provider.affiliates.all()
        self.fields["discovered_by_affiliate"].empty_label = f"{provider.name} itself"
        self.fields["pes_models"].queryset = provider.pes_models.all()

    def clean(self):
        data = super().clean()
        local, zone = data.get("discovered_at"), data.get("discovery_timezone")
        if local is not None and zone and self._unchanged(local, zone,
                                                          data.get("discovered_at_fold")):
            data["discovered_at"] = self.discovered[0]
        elif local is not None and zone:
            aware, field, message = local_to_aware(local, zone,
                                                   data.get("discovered_at_fold", ""))
            if message:
                self.add_error(field, message)
            else:
                data["discovered_at"] = aware
        return data

    def _unchanged(self, local, zone, fold_choice):
        if self.discovered is None or zone != self.discovered[1]:
            return False
        shown = self.discovered[0].astimezone(zoneinfo.ZoneInfo(zone))
        if fold_choice and fold_choice_of(shown) not in ("", fold_choice):
            return False  # the other of the two times the clocks showed
        return shown.replace(tzinfo=None, second=0, microsecond=0) == local

    def service_values(self):
        data = self.cleaned_data
        return {name: data[name] for name in self.fields
                if name not in ("discovered_at_fold",) and name in data}


class NewIncidentForm(SentOnceMixin, IncidentForm):
    """Report a discovery: sent twice (a double click, a retry), it makes one draft, which
    the second sending leads to."""

    def service_values(self):
        values = super().service_values()
        values.pop("submission_key", None)
        return values


class DraftForm(IncidentForm):
    """A draft's page: it posts every field as it showed them, so one filled before a
    colleague saved the draft would undo their changes; it carries the state of the draft
    it was filled from (`update_draft`'s `based_on`)."""

    based_on = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def service_values(self):
        values = super().service_values()
        values["based_on"] = values.pop("based_on", None) or None
        return values


class AmendmentForm(IncidentForm):
    amendment_reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                                       help_text="Why the filing is amended; USPS sees it.")
    # The version the page was filled from: the page posts every field as it showed them,
    # so one filled before another officer's amendment would undo it.
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": "Reload the page: it does not say which version it was filled from."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("discovery_timezone", "discovered_at", "discovered_at_fold"):
            del self.fields[name]
        self.fields["description"].required = True

    def service_values(self):
        values = super().service_values()
        values.pop("amendment_reason", None)
        values.pop("based_on", None)
        return values


class RiskStatementForm(forms.Form):
    pes_model = forms.ModelChoiceField(queryset=None, label="Affected PES model")
    nature_of_risk = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}),
                                     label="Nature of the risk")
    effect_on_pes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}),
                                    label="How it affects the PES")

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pes_model"].queryset = provider.pes_models.all()


RiskStatementFormSet = forms.formset_factory(RiskStatementForm, extra=1, can_delete=True)


def risk_statements_of(formset):
    return [
        {k: f.cleaned_data[k] for k in ("pes_model", "nature_of_risk", "effect_on_pes")}
        for f in formset.forms
        if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class SubmitForm(forms.Form):
    late_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False,
        label="Reason for the delay", help_text="Required when filed after the 24-hour due time.")
    # The state of the draft the page was opened on (`draft_digest`): a colleague's change
    # saved since is not filed unseen.
    based_on = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class AttachmentForm(SentOnceMixin, forms.Form):
    file = forms.FileField(
        help_text="PDF, PNG, JPEG, plain text (.txt, .log), CSV or e-mail (.eml).")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "attach_%s")
        super().__init__(*args, **kwargs)

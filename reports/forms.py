"""Page forms. They shape input for the services, which hold the rules (completeness is
checked by the service when filing, so a draft may be saved half done)."""

import zoneinfo

from django import forms

from incidents.forms import LocalDateTimeField
from reports.models import CONTENT_FIELDS

LABELS = {
    "circumstances": "Circumstances",
    "investigative_procedure": "Proposed investigative procedure",
    "anticipated_completion_date": "Anticipated completion date",
    "progress": "Progress",
    "findings": "Findings",
    "root_cause": "Root cause",
    "corrective_actions": "Corrective actions",
}
HELP = {
    "anticipated_completion_date": "The final summary is due at 23:59:59 of this day "
                                   "({zone}). A status report may revise it.",
}


class ReportForm(forms.Form):
    """The content fields of one kind of report."""

    def __init__(self, *args, kind, zone_name="America/New_York", **kwargs):
        super().__init__(*args, **kwargs)
        for name in CONTENT_FIELDS[kind]:
            if name == "anticipated_completion_date":
                field = forms.DateField(required=False, widget=forms.DateInput(
                    attrs={"type": "date"}, format="%Y-%m-%d"))
            else:
                field = forms.CharField(required=False, max_length=50_000,
                                        widget=forms.Textarea(attrs={"rows": 5}))
            field.label = LABELS[name]
            field.help_text = HELP.get(name, "").format(zone=zone_name)
            field.required_when = "to file"  # a draft may be saved half done
            self.fields[name] = field


class AcceptForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Shared with the provider's officers.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "accept_%s")
        super().__init__(*args, **kwargs)


class ReturnForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="What the provider must correct; shared with its "
                                        "officers.")
    resubmission_due_at = LocalDateTimeField(
        required=False, label="Corrected version due (your time zone)",
        help_text="Empty: the policy's written-report window for the case's risk.")

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "return_%s")
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(user.timezone)

    def clean_resubmission_due_at(self):
        value = self.cleaned_data.get("resubmission_due_at")
        return value.replace(tzinfo=self.zone) if value is not None else None

"""Page forms. They shape input for the services, which hold the rules (completeness is
checked by the service when filing, so a draft may be saved half done)."""

import zoneinfo

from django import forms

from compliance.window import SaneDateFormField
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
    "anticipated_completion_date": "The final summary is due at the end of this day (UTC). "
                                   "A status report may revise it.",
}


class ReportForm(forms.Form):
    """The content fields of one kind of report."""

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CONTENT_FIELDS[kind]:
            if name == "anticipated_completion_date":
                field = SaneDateFormField(required=False, widget=forms.DateInput(
                    attrs={"type": "date"}, format="%Y-%m-%d"))
            else:
                field = forms.CharField(required=False, max_length=50_000,
                                        widget=forms.Textarea(attrs={"rows": 5}))
            field.label = LABELS[name]
            field.help_text = HELP.get(name, "")
            self.fields[name] = field


class AcceptForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Shared with the provider's officers.")


class ReturnForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="What the provider must correct; shared with its "
                                        "officers.")
    resubmission_due_at = LocalDateTimeField(
        required=False, label="Corrected version due (your time zone)",
        help_text="Empty: the policy's written-report window for the case's risk.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(user.timezone)

    def clean_resubmission_due_at(self):
        value = self.cleaned_data.get("resubmission_due_at")
        return value.replace(tzinfo=self.zone) if value is not None else None

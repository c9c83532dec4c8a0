"""Page forms. They shape input for the services, which hold the rules (completeness is
checked by the service when filing, so a draft may be saved half done)."""

import secrets

from django import forms

from compliance.deadlines import end_of_day
from compliance.window import SaneDateFormField
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

    def __init__(self, *args, kind, zone_name="America/New_York", once=False, based_on=None,
                 **kwargs):
        """`once`: the page starts a report, and carries a key that files it once however
        often it is sent (`file_report`'s `submission_key`). `based_on`: the page edits an
        existing report, and carries the `report_digest` of the state it was filled from."""
        super().__init__(*args, **kwargs)
        if once:
            self.fields["submission_key"] = forms.CharField(
                widget=forms.HiddenInput, required=False, max_length=64,
                initial=secrets.token_urlsafe(24))
        if based_on is not None:
            self.fields["based_on"] = forms.CharField(
                widget=forms.HiddenInput, required=False, max_length=64, initial=based_on)
        for name in CONTENT_FIELDS[kind]:
            if name == "anticipated_completion_date":
                field = SaneDateFormField(required=False, widget=forms.DateInput(
                    attrs={"type": "date"}, format="%Y-%m-%d"))
            else:
                field = forms.CharField(required=False, max_length=50_000,
                                        widget=forms.Textarea(attrs={"rows": 5}))
            field.label = LABELS[name]
            field.help_text = HELP.get(name, "").format(zone=zone_name)
            field.required_when = "to file"  # a draft may be saved half done
            self.fields[name] = field


class _ReadVersion(forms.Form):
    """The version the reviewer read: a newer one filed meanwhile is not decided unread."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class AcceptForm(_ReadVersion):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Shared with the provider's officers.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "accept_%s")
        super().__init__(*args, **kwargs)


class ReturnForm(_ReadVersion):
    # The service's name of the due time the day becomes (a refusal is shown by the day).
    fields_for = {"resubmission_due_at": "resubmission_due_on"}

    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="What the provider must correct; shared with its "
                                        "officers.")
    resubmission_due_on = SaneDateFormField(
        required=False, label="Corrected version due by the end of",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="23:59:59 of that day in the provider's time zone ({zone}). Empty: the "
                  "policy's written-report window for the case's risk.")

    def __init__(self, *args, zone_name="America/New_York", **kwargs):
        kwargs.setdefault("auto_id", "return_%s")
        super().__init__(*args, **kwargs)
        self.zone_name = zone_name
        field = self.fields["resubmission_due_on"]
        field.help_text = field.help_text.format(zone=zone_name)

    def clean(self):
        """The day as the due time the service takes: `resubmission_due_at`."""
        data = super().clean()
        day = data.get("resubmission_due_on")
        data["resubmission_due_at"] = end_of_day(day, self.zone_name) if day else None
        return data

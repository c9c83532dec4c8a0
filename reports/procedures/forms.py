from django import forms

from compliance.sent_once import SentOnceMixin
from compliance.window import SaneDateFormField


class ProcedureUploadForm(SentOnceMixin, forms.Form):
    file = forms.FileField(help_text="PDF, plain text or another accepted document.")
    effective_date = SaneDateFormField(widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text="From when these procedures apply.")
    summary_of_changes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What changed since the previous version (required after the first).")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "procedures_%s")
        super().__init__(*args, **kwargs)


class ProcedureReviewForm(forms.Form):
    # No decision is preselected: the reviewer chooses each time.
    decision = forms.ChoiceField(
        choices=[("accept", "Accept this version"), ("request_changes", "Ask for changes")],
        widget=forms.RadioSelect, label="Decision",
        error_messages={"required": "Choose: accept this version, or ask for changes."})
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="Required when asking for changes.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "review_%s")
        super().__init__(*args, **kwargs)

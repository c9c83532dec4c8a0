from django import forms

from compliance.window import SaneDateFormField


class ProcedureUploadForm(forms.Form):
    file = forms.FileField(help_text="PDF, plain text or another accepted document.")
    effective_date = SaneDateFormField(widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text="From when these procedures apply.")
    summary_of_changes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What changed since the previous version (required after the first).")


class ProcedureReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"),
                                          ("request_changes", "Request changes")])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="Required when asking for changes.")

"""Page forms for USPS review and the comment thread. They shape input for the services."""

import secrets

from django import forms

from compliance.api.fields import id_from
from compliance.forms import TimeZoneField
from compliance.models import User

from .forms import LocalDateTimeField, local_to_aware
from .models import CommentVisibility, Incident, RevenueRisk


def reviewer_choices():
    return User.objects.reviewers().order_by("username")


def offer_reviewers(field, people=None):
    """`field` takes any active USPS reviewer. A page that shows two reviewer choices reads
    the reviewers once and gives the list (`people`) to both, offered as it is."""
    field.queryset = reviewer_choices()
    if people is not None:
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        field.choices = [*empty,
                         *((person.pk, field.label_from_instance(person)) for person in people)]


class TriageForm(forms.Form):
    revenue_risk = forms.ChoiceField(choices=[("", "Choose…"), *RevenueRisk.choices])
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False,
        label="Rationale (USPS only)",
        help_text="Why this risk or deadline. Never shown to the provider. Required at first "
                  "triage and for every later change.")
    written_report_due_at = LocalDateTimeField(
        required=False, label="Written report due (optional override)",
        help_text="Leave empty to take the policy's window for the risk.")
    due_timezone = TimeZoneField(
        required=False, label="Time zone of that time",
        help_text="Only used with a due time above; your own zone when left as is.")
    status_report_interval_days = forms.IntegerField(
        required=False, min_value=1, max_value=365,
        label="Status-report interval in days (optional override)")
    reviewer = forms.ModelChoiceField(queryset=None, required=False, empty_label="—",
                                      label="Assigned reviewer")
    first_triage = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # The reviewer the page showed assigned: left as shown, the triage assigns no one (a
    # reassignment made meanwhile stands).
    reviewer_shown = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The triage the page showed (`triage_state`): a change made since is not undone unseen.
    triage_shown = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, reviewers=None, interval=None, report_owed=True, **kwargs):
        """`report_owed`: whether the written report's due time can still move (not yet
        triaged, or still owed); once filed and accepted, the form offers no due time."""
        kwargs.setdefault("auto_id", "triage_%s")
        super().__init__(*args, **kwargs)
        # The reviewer the page showed: as it was first drawn, or as it posted it (a form
        # shown again with its errors).
        shown = self.initial.get("reviewer_shown") or (
            id_from(self.data.get(self.add_prefix("reviewer_shown"))) if self.is_bound
            else None)
        if shown and (any(person.pk == shown for person in reviewers) if reviewers is not None
                      else reviewer_choices().filter(pk=shown).exists()):
            # Someone who may still review is assigned: unassigning is the Assign form's
            # "Nobody". (One who left is not offered; the page shows "—" then.)
            self.fields["reviewer"].empty_label = None
        offer_reviewers(self.fields["reviewer"], reviewers)
        if not report_owed:
            del self.fields["written_report_due_at"], self.fields["due_timezone"]
        field = self.fields["status_report_interval_days"]
        field.help_text = ("Leave empty to take the policy's interval for the risk."
                           if interval is None else
                           f"Now every {interval} days. Leave empty to keep it, or with a new "
                           "risk to take the policy's interval for that risk.")

    def clean(self):
        data = super().clean()
        shown = data.get("reviewer_shown")
        if shown and data.get("reviewer") is None and "reviewer" not in self.errors \
                and reviewer_choices().filter(pk=shown).exists():
            self.add_error("reviewer", "A triage assigns a reviewer or leaves the one shown: "
                                       "to assign nobody, use Assign.")
        local = data.get("written_report_due_at")
        zone = data.get("due_timezone") or self.initial.get("due_timezone") or "UTC"
        if local is not None and zone:
            aware, _, message = local_to_aware(local, zone)
            if message:
                self.add_error("written_report_due_at",
                               message.replace("Say which one.", "Give another time."))
            else:
                data["written_report_due_at"] = aware
        return data

    def service_values(self):
        data = self.cleaned_data
        reviewer = data.get("reviewer")
        if "reviewer_shown" in self.data and (reviewer.pk if reviewer else None) == data.get(
                "reviewer_shown"):
            reviewer = None  # as shown: not a choice of the reviewer
        return {**{name: data.get(name) for name in (
            "revenue_risk", "rationale", "written_report_due_at",
            "status_report_interval_days")},
            "reviewer": reviewer, "expect_first": bool(data.get("first_triage")),
            "based_on": data.get("triage_shown") or None}


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(queryset=None, required=False, empty_label="Nobody",
                                      label="Reviewer")

    def __init__(self, *args, reviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_reviewers(self.fields["reviewer"], reviewers)


class CloseCaseForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2_000,
        label="Why the case is closed without an accepted final summary",
        help_text="The provider's officers read it, in the case's history and by e-mail.",
        error_messages={"required": "Say why the case is closed; the provider reads it."})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "close_%s")
        super().__init__(*args, **kwargs)


class BulkAssignForm(forms.Form):
    """Queue rows ticked, and the reviewer they go to (empty: nobody)."""

    incidents = forms.ModelMultipleChoiceField(
        queryset=None, error_messages={"required": "Tick the cases to assign."})
    reviewer = forms.ModelChoiceField(queryset=None, required=False, empty_label="Nobody",
                                      label="Assign the ticked cases to")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incidents"].queryset = Incident.objects.visible_to(user).filed()
        offer_reviewers(self.fields["reviewer"])


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Comment",
                           max_length=10_000)
    # USPS chooses each time: nothing is preselected, so an internal note is never shared
    # (nor a shared answer hidden) by a default.
    visibility = forms.ChoiceField(
        choices=CommentVisibility.choices, widget=forms.RadioSelect, label="Who sees it",
        error_messages={"required": "Choose who sees it: shared with the provider, or "
                                    "internal to USPS."})

    # Sent again (a double click, a retry), the form adds its comment once.
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "comment_%s")
        super().__init__(*args, **kwargs)
        self.fields["submission_key"].initial = secrets.token_urlsafe(24)
        if not user.is_usps:  # provider staff write shared comments only
            del self.fields["visibility"]

    def service_values(self):
        return {"body": self.cleaned_data["body"],
                "visibility": self.cleaned_data.get("visibility"),
                "submission_key": self.cleaned_data.get("submission_key", "")}

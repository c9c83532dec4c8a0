import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance.display import display_time
from compliance.window import check_datetime
from incidents.forms import LocalDateTimeField, local_to_aware


class ExtensionRequestForm(forms.Form):
    requested_due_at = LocalDateTimeField(label="New due time", help_text="In your time zone.")
    justification = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                                    help_text="Why more time is needed.")

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("auto_id", "ask_%s")
        super().__init__(*args, **kwargs)
        self.zone_name = user.timezone if user else timezone.get_default_timezone_name()

    def clean_requested_due_at(self):
        # The browser sends a wall-clock time; it is read in the user's own zone, where it
        # may not exist (the clocks jumped forward) or come twice (they went back).
        local = self.cleaned_data["requested_due_at"]
        instant, _, message = local_to_aware(local, self.zone_name, choosable=False)
        if message:
            raise forms.ValidationError(message)
        try:
            return check_datetime(instant)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class DecisionForm(forms.Form):
    """USPS's decision on a pending request. The decision is the button pressed (grant or
    deny), never a preselected value."""

    decision = forms.ChoiceField(choices=[("grant", "Grant"), ("deny", "Deny")],
                                 widget=forms.HiddenInput,
                                 error_messages={"required": "Press Grant or Deny."})
    # Shown to the second: it is pre-filled with the time asked for, often 23:59:59, and
    # granting it as shown must grant exactly that, not the minute before.
    due_at = LocalDateTimeField(
        required=False, label="New due time if granted (your time zone)",
        help_text="The time asked for, or another one USPS chooses.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"},
                                   format="%Y-%m-%dT%H:%M:%S"))
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              label="Comment",
                              help_text="Required to deny; sent to the provider's officers.")

    def __init__(self, *args, user, asked=None, grantable_after=None, **kwargs):
        """`asked`: the instant the pending request asks for, pre-filled as the time to
        grant (in `user`'s zone), unless it is no later than `grantable_after` (now, or
        the duty's due time moved past it since): granted, it would be refused."""
        kwargs.setdefault("auto_id", "decide_%s")
        self.zone_name = user.timezone
        self.asked = asked.astimezone(zoneinfo.ZoneInfo(user.timezone)) if asked else None
        stale = (self.asked is not None and grantable_after is not None
                 and self.asked <= grantable_after)
        if self.asked is not None and not stale:
            kwargs.setdefault("initial", {"due_at": self.asked.replace(tzinfo=None)})
        super().__init__(*args, **kwargs)
        if stale:
            self.fields["due_at"].help_text = (
                f"The time asked for, {display_time(asked)}, is past or no later than the "
                "current due time: give a later one to grant.")

    def clean_due_at(self):
        local = self.cleaned_data.get("due_at")
        if local is None:
            return None
        if self.asked is not None and (self.asked.replace(tzinfo=None, microsecond=0)
                                       == local.replace(microsecond=0)):
            # The time asked, as shown: exactly that instant, also when the clocks showed
            # it twice (they went back that night).
            instant, message = self.asked, None
        else:
            instant, _, message = local_to_aware(local, self.zone_name, choosable=False)
        if message:
            raise forms.ValidationError(message)
        try:
            return check_datetime(instant)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

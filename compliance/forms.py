import zoneinfo

from django import forms

from .errors import Conflict, TooLarge
from .models import Affiliate


def timezone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class AffiliateForm(forms.ModelForm):
    class Meta:
        model = Affiliate
        fields = ["name", "relationship", "country"]


class ProfileForm(forms.Form):
    timezone = forms.ChoiceField(choices=timezone_choices, label="Time zone")


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, label="Token name",
                           help_text="What this token is for, e.g. “SIEM integration”.")


def refuse_on_form(form, exc, extra_targets=None):
    """Show a service's refusal (`compliance.errors`) on a page's `form` and return the
    status the page answers with: 400 for invalid input, 409 for a conflict with the
    object's state, 413 for too large.

    A ValidationError's messages go beside their fields, or into `extra_targets`
    ({key: list}) for parts of the page that are not form fields; the rest become the
    form's non-field errors, as does the message of a Conflict or TooLarge (on its field
    when it names one the form has).
    """
    extra_targets = extra_targets or {}
    if isinstance(exc, Conflict | TooLarge):
        field = getattr(exc, "field", None)
        form.add_error(field if field in form.fields else None, exc.message)
        return exc.status_code
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for field, messages in items:
        if field in extra_targets:
            extra_targets[field].extend(messages)
            continue
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    return 400

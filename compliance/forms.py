import functools

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .errors import Conflict, TooLarge
from .models import Affiliate
from .sent_once import SentOnceMixin
from .timezones import timezone_choices

__all__ = ["TimeZoneField", "TimeZoneSelect", "timezone_choices"]


@functools.cache
def _zone_options():
    """Each known zone's <option> as a select widget writes it unselected, and each
    zone's position among them (built once per process)."""
    options = tuple(format_html('\n  <option value="{}">{}</option>\n', value, label)
                    for value, label in timezone_choices())
    return options, {value: n for n, (value, _) in enumerate(timezone_choices())}


class TimeZoneSelect(forms.Select):
    """A select of every known time zone, written as Django's select writes it (the same
    markup, the chosen zone `selected`) from options prepared once per process."""

    template_name = "compliance/widgets/timezone_select.html"

    def optgroups(self, name, value, attrs=None):
        return []

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options, position = _zone_options()
        chosen = next((position[v] for v in context["widget"]["value"] if v in position),
                      None)
        if chosen is None:
            html = "".join(options)
        else:
            selected = options[chosen].replace('">', '" selected>', 1)
            html = "".join((*options[:chosen], selected, *options[chosen + 1:]))
        context["widget"]["options"] = mark_safe(html)
        return context


class _ZoneChoices(BaseChoiceIterator):
    """Every known zone as (name, name), prepared once: neither copied with each form nor
    prepared again each time it is read."""

    def __iter__(self):
        return iter(timezone_choices())


class TimeZoneField(forms.ChoiceField):
    """A choice of one known IANA time zone."""

    widget = TimeZoneSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", _ZoneChoices())
        super().__init__(**kwargs)


class AffiliateForm(forms.ModelForm):
    # The state of the affiliate the page was filled from (`affiliate_digest`).
    based_on = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Affiliate
        fields = ["name", "relationship", "country"]


class ProfileForm(forms.Form):
    timezone = TimeZoneField(label="Time zone")


class ApiTokenForm(SentOnceMixin, forms.Form):
    name = forms.CharField(max_length=100, required=False, label="Token name",
                           help_text="What this token is for, e.g. “SIEM integration”.")


def refuse_on_form(form, exc, extra_targets=None):
    """Show a service's refusal (`compliance.errors`) on a page's `form` and return the
    status the page answers with: 400 for invalid input, 409 for a conflict with the
    object's state, 413 for too large.

    A ValidationError's messages go beside their fields (the form's `fields_for`, {the
    service's name: the form's}, names a field the service calls otherwise), or into
    `extra_targets` ({key: list}) for parts of the page that are not form fields; the rest
    become the form's non-field errors, as does the message of a Conflict or TooLarge (on
    its field when it names one the form has).
    """
    extra_targets = extra_targets or {}
    fields_for = getattr(form, "fields_for", {})
    if isinstance(exc, Conflict | TooLarge):
        field = getattr(exc, "field", None)
        form.add_error(field if field in form.fields else None, exc.message)
        return exc.status_code
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for field, messages in items:
        field = fields_for.get(field, field)
        if field in extra_targets:
            extra_targets[field].extend(messages)
            continue
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
    return 400

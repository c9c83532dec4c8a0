import zoneinfo

from django import forms

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

import zoneinfo

from django import forms

from .models import Affiliate


def timezone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class AffiliateForm(forms.ModelForm):
    class Meta:
        model = Affiliate
        fields = ["name", "relationship", "country"]

    def clean_country(self):
        value = self.cleaned_data["country"].strip()
        if len(value) != 2 or not value.isalpha():
            raise forms.ValidationError("Use the two-letter ISO 3166-1 code, e.g. US.")
        return value.upper()


class ProfileForm(forms.Form):
    timezone = forms.ChoiceField(choices=timezone_choices, label="Time zone")


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, label="Token name",
                           help_text="What this token is for, e.g. “SIEM integration”.")

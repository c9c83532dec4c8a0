from django import forms

from compliance.forms import TimeZoneField
from compliance.models import Provider, Role
from compliance.models.users import PROVIDER_ROLES
from compliance.sent_once import SentOnceMixin


class _RoleFields(forms.Form):
    """A role (and, for USPS managers, a provider). Every role validates, so that a forged
    choice reaches the service, which refuses and records it; the menu offers only the
    roles the signed-in person may give."""

    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        if actor.is_usps_manager:
            self.fields["provider"] = forms.ModelChoiceField(
                Provider.objects.order_by("name"), required=False,
                help_text="For provider staff only; leave empty for USPS staff.")
        else:
            self.fields["role"].widget.choices = [
                (r.value, r.label) for r in Role if r in PROVIDER_ROLES]
            self.fields["provider"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=actor.provider_id)

    def provider_id(self):
        """The chosen provider's id; an officer's own provider unless the form says another."""
        value = self.cleaned_data.get("provider")
        if isinstance(value, Provider):
            return value.pk
        if value is None and not self.actor.is_usps_manager:
            return self.actor.provider_id
        return value


class InviteForm(SentOnceMixin, _RoleFields):
    email = forms.EmailField(label="E-mail address")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    field_order = ["email", "first_name", "last_name", "role", "provider"]


class _OwnIds:
    """A form of a page that shows several, each with its own field ids (every label
    names its own control)."""

    prefix_ids = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.prefix_ids)
        super().__init__(*args, **kwargs)


class RoleForm(_OwnIds, _RoleFields):
    prefix_ids = "role_%s"
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    # The role and provider the page showed: a change made since is not undone unseen.
    shown_role = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_provider = forms.IntegerField(required=False, widget=forms.HiddenInput)
    field_order = ["role", "provider", "reason"]

    def shown(self):
        """(role, provider id) the page showed, or None for a form without them."""
        if not self.cleaned_data.get("shown_role"):
            return None
        return self.cleaned_data["shown_role"], self.cleaned_data.get("shown_provider")


class ReasonForm(_OwnIds, forms.Form):
    prefix_ids = "account_%s"
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class FactorResetForm(_OwnIds, forms.Form):
    prefix_ids = "factor_%s"
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="How you confirmed who asked, e.g. a call back.")


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="What you will sign in with.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    timezone = TimeZoneField(initial="America/New_York", label="Time zone",
                             help_text="Times are shown to you in it.")
    password1 = forms.CharField(label="Password", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="Password (again)", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class OwnFactorResetForm(forms.Form):
    password = forms.CharField(strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))
    code = forms.CharField(max_length=20, label="Current code",
                           help_text="From your authenticator app, or one of your recovery codes.",
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}))


class LockoutClearForm(forms.Form):
    username = forms.CharField(max_length=150)

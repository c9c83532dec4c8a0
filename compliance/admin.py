"""The Django admin, for USPS managers only. Writes go through the service functions."""

import copy
import hashlib

from django import forms
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import redirect
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from . import services
from .forms import TimeZoneField
from .models import Affiliate, AuditEvent, PESModel, Provider, ProviderStatusChange, User
from .models.register import DEFAULT_PROVIDER_TIMEZONE
from .text import as_name


def is_usps_manager(request) -> bool:
    """True for a signed-in USPS manager; False for anyone else, anonymous visitors included."""
    user = request.user
    return user.is_active and user.is_authenticated and user.is_usps_manager


class USPSManagerAdminSite(admin.AdminSite):
    site_header = "PES cases: register administration"
    site_title = "PES cases admin"

    def has_permission(self, request):
        return is_usps_manager(request)

    def login(self, request, extra_context=None):
        """No sign-in of its own: the site's, with its lockout and second factor."""
        if request.user.is_authenticated:
            raise PermissionDenied("The administration is for USPS managers.")
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"),
                                 login_url=reverse("account_login"))

    def password_change(self, request, extra_context=None):
        """No password change of its own either: the site's, which records the change,
        tells its owner and ends their other sessions."""
        return redirect("account_change_password")

    def password_change_done(self, request, extra_context=None):
        return redirect("account_change_password")


admin_site = USPSManagerAdminSite(name="admin")


class ManagerOnlyAdmin(admin.ModelAdmin):
    """USPS managers may view and change; nothing is deleted from the register."""

    def has_module_permission(self, request):
        return is_usps_manager(request)

    def has_view_permission(self, request, obj=None):
        return is_usps_manager(request)

    def has_add_permission(self, request):
        return is_usps_manager(request)

    def has_change_permission(self, request, obj=None):
        return is_usps_manager(request)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ManagerOnlyAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RegisterEntryForm(forms.ModelForm):
    """A page of the register's admin. Its name is read in the form the register keeps
    (`as_name`), so the uniqueness check sees the name as it would be stored. A change
    page posts every field: saved from a page read before someone else's change (an
    officer's rename, another manager's), it would undo that change unseen. The page
    carries a digest of what it was filled from; the entry, read again and locked (the
    admin's save runs in the same transaction), must still read so, unless the post would
    change nothing."""

    based_on = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["based_on"].initial = self._digest(self.instance)

    def _digest(self, entry):
        values = model_to_dict(entry, fields=self._meta.fields)
        return hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:32]

    def clean_name(self):
        # A name sent back as stored is no rename: one kept before names were read so (a
        # twin left for a person to merge) is not refused for a change of something else.
        name = self.cleaned_data["name"]
        if self.instance.pk and name == self.instance.name:
            return name
        return as_name(name)

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            current = (type(self.instance)._default_manager.select_for_update(no_key=True)
                       .get(pk=self.instance.pk))
            fresh = self._digest(current)
            if data.get("based_on") != fresh and self._would_change(current, data):
                # Shown again, the page is based on the entry as it now reads: saving
                # again replaces that with what was typed.
                self.data = self.data.copy()
                self.data[self.add_prefix("based_on")] = fresh
                raise ValidationError(
                    f"{current} was changed since this page was opened: it now reads "
                    f"{self._reading(current)}. Save again to replace that with what you "
                    "typed.", code="stale")
        return data

    def _would_change(self, current, data):
        """Whether saving `data` changes `current`: a post that changes nothing (a double
        click on Save, a colleague's very change typed again) is no harm."""
        trial = copy.copy(current)
        for field in current._meta.concrete_fields:
            if field.name in self._meta.fields and field.name in data:
                setattr(trial, field.name, data[field.name])
        return self._digest(trial) != self._digest(current)

    def _reading(self, entry):
        shown = []
        stated = {field.name: field for field in entry._meta.concrete_fields}
        for name in self._meta.fields:
            field = stated.get(name)
            if field is None or name == "provider":
                continue
            value = (getattr(entry, f"get_{name}_display")() if field.choices
                     else getattr(entry, name))
            shown.append(f"{field.verbose_name} {getattr(value, 'name', value) or '—'}")
        return ", ".join(shown)


class ProviderAdminForm(RegisterEntryForm):
    timezone = TimeZoneField(initial=DEFAULT_PROVIDER_TIMEZONE, required=False,
                             label="Time zone",
                             help_text=Provider._meta.get_field("timezone").help_text)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Required when the authorization status changes.")

    class Meta:
        model = Provider
        fields = ["name", "authorization_number", "authorization_status", "timezone"]

    def clean_timezone(self):
        return self.cleaned_data["timezone"] or self.instance.timezone or DEFAULT_PROVIDER_TIMEZONE

    def _would_change(self, current, data):
        """A reason typed is meant for a change of status: saved from a page read before a
        colleague set that status, it would be dropped as though saved. The very change
        sent again (a double click on Save: the last status set is the one posted, with
        this reason) is none."""
        reason = (data.get("reason") or "").strip()
        if reason:
            last = current.status_changes.order_by("-changed_at", "-id").first()
            if last is None or (last.to_status, last.reason.strip()) != (
                    data.get("authorization_status"), reason):
                return True
        return super()._would_change(current, data)

    def clean(self):
        data = super().clean()
        if (self.instance.pk and "authorization_status" in self.changed_data
                and not data.get("reason", "").strip()):
            self.add_error("reason", "Say why the authorization status changes.")
        return data


class ServiceSaveMixin:
    """Route the admin's save through the service function, so it is audited."""

    def save_model(self, request, obj, form, change):
        # Only the model's own fields: the admin adds declared form fields (such as
        # the status-change reason) to the form it builds, and those are not values.
        model_fields = {f.name for f in obj._meta.get_fields()}
        values = {f: v for f, v in form.cleaned_data.items() if f in model_fields
                  and (not change or f in form.changed_data)}
        saved = self.save_with_service(request.user, obj if change else None, values, form)
        obj.pk = saved.pk


class ReadOnlyInline(admin.TabularInline):
    """Rows listed within a page for USPS managers to read (who hold no model permissions
    of Django's); nothing added, changed or deleted there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return is_usps_manager(request)


class StatusChangeInline(ReadOnlyInline):
    model = ProviderStatusChange
    readonly_fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]
    fields = readonly_fields


@admin.register(Provider, site=admin_site)
class ProviderAdmin(ServiceSaveMixin, ManagerOnlyAdmin):
    form = ProviderAdminForm
    list_display = ["name", "authorization_number", "authorization_status"]
    list_filter = ["authorization_status"]
    search_fields = ["name", "authorization_number"]
    inlines = [StatusChangeInline]

    def save_with_service(self, actor, instance, values, form):
        if instance is None:
            if "timezone" in values:
                values["timezone_name"] = values.pop("timezone")
            return services.create_provider(actor=actor, **values)
        return services.update_provider(actor=actor, provider=instance,
                                        reason=form.cleaned_data.get("reason", ""), **values)


class OfProviderForm(RegisterEntryForm):
    """An entry of a provider's register, its name unique within the provider: the
    provider is read-only once the entry exists, and still counts in that check."""

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        exclude.discard("provider")
        return exclude


class AffiliateAdminForm(OfProviderForm):
    class Meta:
        model = Affiliate
        fields = ["provider", "name", "relationship", "country"]


@admin.register(Affiliate, site=admin_site)
class AffiliateAdmin(ServiceSaveMixin, ManagerOnlyAdmin):
    form = AffiliateAdminForm
    list_display = ["name", "provider", "relationship", "country"]
    list_filter = ["relationship", "provider"]
    search_fields = ["name"]
    list_select_related = ["provider"]

    def get_readonly_fields(self, request, obj=None):
        return ["provider"] if obj else []

    def save_with_service(self, actor, instance, values, form):
        if instance is None:
            return services.create_affiliate(actor=actor, **values)
        values.pop("provider", None)
        return services.update_affiliate(actor=actor, affiliate=instance, **values)


class PESModelAdminForm(OfProviderForm):
    class Meta:
        model = PESModel
        fields = ["provider", "name", "kind", "approval_status", "approved_by"]


@admin.register(PESModel, site=admin_site)
class PESModelAdmin(ServiceSaveMixin, ManagerOnlyAdmin):
    form = PESModelAdminForm
    list_display = ["name", "provider", "kind", "approval_status", "approved_by"]
    list_filter = ["kind", "approval_status", "provider"]
    search_fields = ["name"]
    list_select_related = ["provider"]

    def get_readonly_fields(self, request, obj=None):
        return ["provider"] if obj else []

    def save_with_service(self, actor, instance, values, form):
        if instance is None:
            return services.create_pes_model(actor=actor, **values)
        values.pop("provider", None)
        return services.update_pes_model(actor=actor, pes_model=instance, **values)


@admin.register(User, site=admin_site)
class UserAdmin(ReadOnlyAdmin):
    """People join by invitation (the People pages) or `manage.py create_user`; the admin
    shows them."""

    list_display = ["username", "email", "role", "provider", "timezone", "is_active"]
    list_filter = ["role", "provider", "is_active"]
    search_fields = ["username", "email", "first_name", "last_name"]
    exclude = ["password", "user_permissions", "groups"]
    list_select_related = ["provider"]


@admin.register(AuditEvent, site=admin_site)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "object_repr", "actor", "provider", "usps_only"]
    list_filter = ["action", "usps_only"]

    def get_queryset(self, request):
        # The one door: managers never see what happened to drafts.
        return super().get_queryset(request).visible_to(request.user)
    search_fields = ["object_repr", "reason"]
    list_select_related = ["actor", "provider"]


@admin.register(PeriodicTask, site=admin_site)
class PeriodicTaskAdmin(ReadOnlyAdmin):
    """The scheduler's tasks and when each last ran (django-celery-beat), to read only:
    switching one off here would stop the deadline sweep or the outbox unseen."""

    list_display = ("name", "task", "interval", "enabled", "last_run_at", "total_run_count")
    ordering = ("name",)

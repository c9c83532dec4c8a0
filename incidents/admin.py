"""Incidents in the admin: USPS managers look, nobody changes a filing here."""

from django.contrib import admin

from compliance.admin import ReadOnlyAdmin, ReadOnlyInline, admin_site

from .models import Attachment, Incident, IncidentVersion, RiskStatement


class RiskStatementInline(ReadOnlyInline):
    model = RiskStatement
    fields = ["pes_model", "nature_of_risk", "effect_on_pes"]
    readonly_fields = fields


class VersionInline(ReadOnlyInline):
    model = IncidentVersion
    fields = ["number", "submitted_at", "submitted_by", "sha256", "amendment_reason"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["name", "content_type", "size", "sha256", "uploaded_at", "uploaded_by"]
    readonly_fields = fields


@admin.register(Incident, site=admin_site)
class IncidentAdmin(ReadOnlyAdmin):
    """Filed incidents only (drafts are the provider's); read-only."""

    list_display = ["reference", "title", "provider", "category", "status", "submitted_at",
                    "is_late"]
    list_filter = ["status", "category", "is_late", "provider"]
    search_fields = ["reference", "title"]
    list_select_related = ["provider"]
    inlines = [RiskStatementInline, VersionInline, AttachmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            pk__in=Incident.objects.visible_to(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.get_fields()
                if f.concrete and not f.many_to_many] + ["pes_models"]

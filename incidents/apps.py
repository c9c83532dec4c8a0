from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self):
        from compliance import labels
        from compliance.enforcement.cases import register_case_source

        from .cases import IncidentCases
        from .models import Category, IncidentStatus, Subtype
        from .models.comments import CommentVisibility
        from .templatetags.incident_tags import FIELD_LABELS

        labels.register_fields(FIELD_LABELS)
        labels.register_choices(Category, "category")
        labels.register_choices(Subtype, "subtype")
        labels.register_choices(IncidentStatus, "status")
        labels.register_choices(CommentVisibility, "visibility")
        labels.register_unread("comment")  # the comment's id: the line stands for it
        labels.register_typed("title", "description", "discovered_by_name", "late_reason",
                              "nature_of_risk", "effect_on_pes", "reason",
                              "amendment_reason", "body")
        register_case_source(IncidentCases())

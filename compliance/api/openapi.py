"""The schema generator of the API: drf-spectacular's, telling the truth about nulls and
about exports (a CSV answer is a string of `text/csv`, not the JSON page the list answers
otherwise; a PDF is binary)."""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

EXPORT_SCHEMAS = {
    "text/csv": {"type": "string",
                 "description": "The whole filtered list as CSV (no pages), times in UTC "
                                "and in the caller's time zone."},
    "application/pdf": {"type": "string", "format": "binary"},
}
NOT_ACCEPTABLE = {
    "description": "The format asked for (`?format=` or `Accept`) is not offered.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}},
}


def _source_may_be_null(field):
    """Whether a read-only field's model source can be null: the field itself, or any
    relation on the way to it (`submitted_by.username` of an unfiled report)."""
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or source == "*":
        return False
    for name in source.split("."):
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if getattr(model_field, "null", False):
            return True
        model = getattr(model_field, "related_model", None)
        if model is None:
            return False
    return False


class AutoSchema(SpectacularAutoSchema):
    """Read-only fields whose source can be null are documented as nullable, whatever
    field class renders them."""

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if ((field.read_only or direction == "response") and not meta.get("nullable")
                and _source_may_be_null(field)):
            meta["nullable"] = True
        return meta

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        responses = (operation or {}).get("responses", {})
        for response in responses.values():
            content = response.get("content", {})
            for media_type, schema in EXPORT_SCHEMAS.items():
                if media_type in content:
                    content[media_type] = {"schema": schema}
        # Every operation answers 406 to a client that accepts none of its formats (JSON,
        # and CSV for lists), but a download, which answers with its file whatever.
        negotiation = getattr(self.view, "content_negotiation_class", None)
        if responses and getattr(negotiation, "refuses_formats", True):
            responses.setdefault("406", {"description": NOT_ACCEPTABLE["description"]})
        if "406" in responses:
            responses["406"].setdefault("content", NOT_ACCEPTABLE["content"])
        return operation

"""The schema generator of the API: drf-spectacular's, telling the truth about nulls."""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


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

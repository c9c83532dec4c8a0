"""The OpenAPI schema's view of exports: a CSV answer is a string of `text/csv`, not the
JSON page the list answers otherwise; a PDF is binary."""

from drf_spectacular.openapi import AutoSchema

EXPORT_SCHEMAS = {
    "text/csv": {"type": "string",
                 "description": "The whole filtered list as CSV (no pages), times in UTC "
                                "and in the caller's time zone."},
    "application/pdf": {"type": "string", "format": "binary"},
}


class ExportAwareSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        for response in (operation or {}).get("responses", {}).values():
            content = response.get("content", {})
            for media_type, schema in EXPORT_SCHEMAS.items():
                if media_type in content:
                    content[media_type] = {"schema": schema}
        if operation and "text/csv" in operation.get("responses", {}).get("200", {}).get(
                "content", {}):
            operation["responses"].setdefault("406", {
                "description": "The format asked for (`?format=` or `Accept`) is not "
                               "offered."})
        return operation

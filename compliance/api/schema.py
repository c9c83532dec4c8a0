"""The error answers of the API in its OpenAPI schema: every operation documents the
status codes it can answer besides success, each with its body, as the exception
handler (`compliance.api.exceptions`) and the upload limit (`compliance.uploads`)
produce them.

- 400 invalid input, `{"field": ["message"]}`: operations that take a body or query
  parameters.
- 401 not signed in, 403 the role may not do this: every operation.
- 404 not found: operations that name an object, and paginated lists (a page past the
  end).
- 409 the object's state forbids this: writes outside the register.
- 413 too large, 415 a body of a media type the operation does not take: every operation
  that takes a body.
- 429 too many requests, with `Retry-After`: every operation (the throttles count per
  token and per address).
"""

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Messages by field (`non_field_errors` for the whole body); nested "
                   "fields answer nested objects or lists of them.",
    "additionalProperties": {"anyOf": [
        {"type": "array", "items": {}}, {"type": "object"}, {"type": "string"}]},
}
DESCRIPTIONS = {
    "400": "Invalid input.",
    "401": "Not signed in.",
    "403": "Signed in, but the role may not do this.",
    "404": "Not found, or outside the caller's reach.",
    "409": "The object's state forbids this.",
    "413": "The request or the upload is too large.",
    "415": "The body's media type is not one the operation takes.",
    "429": "Too many requests: try again after `Retry-After` seconds.",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.",
                               "schema": {"type": "integer"}}}
# The register's writes check input only; every other write depends on a state.
STATELESS_PREFIXES = ("/api/v1/providers/", "/api/v1/affiliates/", "/api/v1/pes-models/")
WRITE_METHODS = ("post", "put", "patch", "delete")


def _codes(path, method, operation):
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    codes = {"401", "403", "429"}
    if has_body or any(p.get("in") == "query" for p in parameters):
        codes.add("400")
    if "{" in path or any(p.get("name") == "page" for p in parameters):
        codes.add("404")
    if method in WRITE_METHODS and not path.startswith(STATELESS_PREFIXES):
        codes.add("409")
    if has_body:
        codes.update({"413", "415"})
    return codes


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error responses of every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorDetail"] = DETAIL
    schemas["FieldErrors"] = FIELD_ERRORS
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code in sorted(_codes(path, method, operation)):
                name = "FieldErrors" if code == "400" else "ErrorDetail"
                response = operation["responses"].setdefault(code, {})
                response.setdefault("description", DESCRIPTIONS[code])
                response["content"] = {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{name}"}}}
                if code == "429":
                    response["headers"] = RETRY_AFTER
    return result

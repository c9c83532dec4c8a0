from django import template

register = template.Library()

FIELD_LABELS = {
    "provider": "Provider",
    "category": "Category",
    "subtype": "Subtype",
    "title": "Title",
    "description": "Description",
    "discovered_at": "Discovered at (UTC)",
    "discovery_timezone": "Discovery time zone",
    "discovered_by_affiliate": "Discovered by (affiliate)",
    "discovered_by_name": "Discoverer",
    "pes_models": "Affected PES models",
    "risk_statements": "Risk statements",
    "notification_due_at": "Notification due (UTC)",
}


@register.filter
def field_label(name):
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


@register.filter
def as_text(value):
    """A filed JSON value as readable text: names for objects, lines for lists."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict):
        if "nature_of_risk" in value:
            model = value.get("pes_model") or {}
            return (f"{model.get('name', model)}: {value['nature_of_risk']} "
                    f"→ {value['effect_on_pes']}")
        return str(value.get("name", value))
    if isinstance(value, list):
        return "; ".join(as_text(v) for v in value)
    return str(value)

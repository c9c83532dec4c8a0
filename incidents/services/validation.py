"""The rules an incident's content must follow, shared by drafts, filings and amendments."""

from django.core.exceptions import ValidationError

from compliance.text import as_line, as_typed
from compliance.timezones import known_timezones
from compliance.window import in_window, window_message
from incidents.models import (
    CATEGORIES_NEEDING_PES_MODEL,
    SUBTYPES_BY_CATEGORY,
    Category,
    Subtype,
)

from .content import SCALAR_FIELDS, risk_statements_of

CONTENT_FIELDS = (*SCALAR_FIELDS, "pes_models", "risk_statements")

# What one incident may list: more than any provider's register or any attack needs, and
# within what a risk statement's position holds.
MAX_PES_MODELS = 500
MAX_RISK_STATEMENTS = 200
TOO_MANY = {
    "pes_models": f"Name at most {MAX_PES_MODELS} affected PES models.",
    "risk_statements": f"Give at most {MAX_RISK_STATEMENTS} risk statements; describe "
                       "further risks in the description.",
}


def current_values(incident):
    """The incident's content as service arguments (model instances, lists)."""
    return {
        "category": incident.category,
        "subtype": incident.subtype,
        "title": incident.title,
        "description": incident.description,
        "discovered_at": incident.discovered_at,
        "discovery_timezone": incident.discovery_timezone,
        "discovered_by_affiliate": incident.discovered_by_affiliate,
        "discovered_by_name": incident.discovered_by_name,
        "pes_models": list(incident.pes_models.all()),
        "risk_statements": [
            {"pes_model": r.pes_model, "nature_of_risk": r.nature_of_risk,
             "effect_on_pes": r.effect_on_pes}
            for r in risk_statements_of(incident)
        ],
    }


def _does_not_exist(kind, obj):
    return f"{kind} {getattr(obj, 'pk', obj)} does not exist."


def validate_content(*, provider, values, now, for_filing=False):
    """Check a complete set of content values for `provider` at `now`.

    Returns the values normalised (texts stripped, PES models named by risk statements
    added to the affected models). Raises ValidationError with every problem, keyed by
    field. Anything of another provider reads as not existing.
    """
    errors = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    values = dict(values)
    unknown = set(values) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"unknown incident fields: {sorted(unknown)}")
    values.setdefault("discovered_by_affiliate", None)
    for field in ("description", "discovery_timezone"):
        values[field] = as_typed(values.get(field))
    # One-line texts: a title's line break would pass for a field or a row of its own in
    # the plain-text e-mails and digests that name the case.
    for field in ("title", "discovered_by_name"):
        values[field] = as_line(values.get(field))

    category = values.get("category")
    if category not in Category.values:
        error("category", "Choose the category: test_finding, security_weakness or "
                          "cyber_attack.")
    subtype = values.get("subtype")
    if subtype not in Subtype.values:
        error("subtype", "Choose a subtype of the category.")
    elif category in Category.values and subtype not in SUBTYPES_BY_CATEGORY[category]:
        allowed = ", ".join(SUBTYPES_BY_CATEGORY[category])
        error("subtype", f"“{subtype}” is not a subtype of {category}; choose one of: "
                         f"{allowed}.")

    if not values["title"]:
        error("title", "Give the incident a short title.")
    if len(values["title"]) > 200:
        error("title", "Keep the title to 200 characters.")
    if for_filing and not values["description"]:
        error("description", "Describe what was discovered before filing.")
    if not values["discovered_by_name"]:
        error("discovered_by_name", "Name the person who discovered it.")

    discovered_at = values.get("discovered_at")
    if discovered_at is None:
        error("discovered_at", "Say when it was discovered.")
    elif discovered_at.tzinfo is None or discovered_at.utcoffset() is None:
        error("discovered_at", "Give the discovery time with its UTC offset, e.g. "
                               "2026-03-01T14:30:00-05:00.")
    elif not in_window(discovered_at):
        error("discovered_at", window_message())
    elif discovered_at > now:
        error("discovered_at", "The discovery time is in the future; give when it was "
                               "actually discovered.")

    zone = values["discovery_timezone"]
    if not zone:
        error("discovery_timezone", "Give the time zone the discoverer stated, e.g. "
                                    "America/New_York.")
    elif zone not in known_timezones():
        error("discovery_timezone", f"“{zone}” is not a known IANA time zone, e.g. "
                                    "America/New_York or Europe/Paris.")

    affiliate = values.get("discovered_by_affiliate")
    if affiliate is not None and affiliate.provider_id != provider.pk:
        error("discovered_by_affiliate", _does_not_exist("Affiliate", affiliate))

    pes_models = list(dict.fromkeys(values.get("pes_models") or []))
    for model in pes_models:
        if model.provider_id != provider.pk:
            error("pes_models", _does_not_exist("PES model", model))

    statements = list(values.get("risk_statements") or [])
    too_many = len(statements) > MAX_RISK_STATEMENTS
    if too_many:
        error("risk_statements", TOO_MANY["risk_statements"])
        statements = []
    if category == Category.CYBER_ATTACK:
        # A draft may wait for them; the filing needs them.
        if not statements and for_filing and not too_many:
            error("risk_statements", "A cyber attack needs at least one risk statement: the "
                                     "nature of the risk and how it affects a named PES model.")
    elif statements:
        error("risk_statements", "Only cyber attacks carry risk statements.")
    cleaned_statements = []
    for n, statement in enumerate(statements, start=1):
        model = statement.get("pes_model")
        nature = as_typed(statement.get("nature_of_risk"))
        effect = as_typed(statement.get("effect_on_pes"))
        if model is None:
            error("risk_statements", f"Risk statement {n}: name the affected PES model.")
        elif model.provider_id != provider.pk:
            error("risk_statements", f"Risk statement {n}: "
                                     + _does_not_exist("PES model", model))
        elif model not in pes_models:
            pes_models.append(model)
        if not nature:
            error("risk_statements", f"Risk statement {n}: describe the nature of the risk.")
        if not effect:
            error("risk_statements", f"Risk statement {n}: say how the risk affects the PES.")
        cleaned_statements.append(
            {"pes_model": model, "nature_of_risk": nature, "effect_on_pes": effect})

    if category in CATEGORIES_NEEDING_PES_MODEL and not pes_models:
        error("pes_models", "Name at least one affected PES model.")
    # Counted with the models the risk statements name.
    if len(pes_models) > MAX_PES_MODELS:
        error("pes_models", TOO_MANY["pes_models"])

    if errors:
        raise ValidationError(errors)
    values["pes_models"] = pes_models
    values["risk_statements"] = cleaned_statements
    return values

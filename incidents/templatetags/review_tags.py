from django import template

from compliance.models import ObligationKind
from compliance.models.obligations import USPS_KINDS

register = template.Library()


@register.filter
def kind_label(value):
    """The readable name of an obligation kind, e.g. "Written report"."""
    try:
        return ObligationKind(value).label
    except ValueError:
        return value or ""


@register.filter
def late_word(kind):
    """How a due time of this kind reads once passed: USPS's own targets are "past
    target", a provider's duties "overdue"."""
    return "past target" if kind in USPS_KINDS else "overdue"

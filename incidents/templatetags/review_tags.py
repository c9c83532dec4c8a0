from django import template

from compliance.models import ObligationKind

register = template.Library()


@register.filter
def kind_label(value):
    """The readable name of an obligation kind, e.g. "Written report"."""
    try:
        return ObligationKind(value).label
    except ValueError:
        return value or ""

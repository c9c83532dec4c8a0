"""Filters every page uses to show times, changes, roles and names the same way (loaded as
builtins, so no template needs to `load` them)."""

from django import template
from django.forms.boundfield import BoundWidget
from django.utils import dateformat, timezone
from django.utils import timesince as durations

from compliance import labels
from compliance.deadlines import is_late
from compliance.display import time_html
from compliance.models.users import ROLE_PHRASES

register = template.Library()


@register.filter(is_safe=True)
def when(value, seconds=""):
    """A time in the viewer's zone, with UTC on hover: `{{ at|when }}`; `{{ at|when:"s" }}`
    shows seconds too. Empty for None."""
    return time_html(value, seconds=bool(seconds))


@register.filter
def zoned(value, format_string):
    """Django's `date` filter, its `T` (the zone's abbreviation) read from the zone database:
    Django leaves `T` empty for a time in the hour a clock change repeats, where the two
    01:30s of a November night in New York are an hour apart (EDT, then EST). Empty for
    None."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value)
    if format_string.endswith("T") and not format_string.endswith("\\T"):
        return dateformat.format(local, format_string[:-1]) + local.strftime("%Z")
    return dateformat.format(local, format_string)


@register.filter
def of_level(messages, level):
    """The page's messages of `level` ("error"), or all the others ("")."""
    if level:
        return [message for message in messages if message.level_tag == level]
    return [message for message in messages if message.level_tag != "error"]


@register.filter
def past(due_at, now):
    """Whether `due_at` has passed at `now` as a filing and the sweep hold it: all of the
    due time's last second is still in time (`compliance.deadlines.is_late`)."""
    return due_at is not None and now is not None and is_late(due_at, now)


@register.filter
def iso(value):
    """A time in ISO 8601 in the viewer's zone, as scripts read it (`data-deadline`):
    `|date:"c"` without the date formats' machinery. Empty for None."""
    if value is None or value == "":
        return ""
    return timezone.localtime(value).isoformat()


class _Unit:
    """One of Django's duration units in English ("1 day", "3 days"), ready-made: the site
    speaks English only, and the translation lookup of Django's own units, on each row of
    a long list, costs more than the arithmetic."""

    def __init__(self, name):
        self.one, self.many = f"%(num)d {name}", f"%(num)d {name}s"

    def __mod__(self, values):
        return (self.one if values["num"] == 1 else self.many) % values


UNITS = {name: _Unit(name) for name in durations.TIME_STRINGS}


@register.filter(is_safe=False)
def timesince(value, arg=None):
    """Django's `timesince` ("4 days, 6 hours"), word for word, with the units above."""
    if not value:
        return ""
    try:
        return durations.timesince(value, arg or None, time_strings=UNITS)
    except (ValueError, TypeError):
        return ""


@register.filter(is_safe=False)
def timeuntil(value, arg=None):
    """Django's `timeuntil`, word for word, with the units above."""
    if not value:
        return ""
    try:
        return durations.timeuntil(value, arg, time_strings=UNITS)
    except (ValueError, TypeError):
        return ""


@register.filter
def remaining(due_at, late="overdue"):
    """What a countdown (`data-deadline`) says when the page is served, "2 days, 3 hours
    left" or "5 hours overdue" (`late` names the word: "past target"), so that it reads
    without the script, which then keeps it running. Empty for None."""
    if due_at is None:
        return ""
    now = timezone.now()
    if is_late(due_at, now):
        return f"{timesince(due_at, now)} {late}"
    return f"{timeuntil(due_at, now)} left"


@register.filter
def change_rows(event):
    """An audit event's changes as (label, before or None, after), readable."""
    return labels.change_rows(event.changes)


@register.filter
def role_phrase(role):
    """A role's value as it reads in a sentence: "usps_reviewer" → "a USPS reviewer"."""
    return ROLE_PHRASES.get(role, "a user")


@register.filter
def possessive(name):
    """ "Meridian Postage Systems" → "Meridian Postage Systems'", "Alpha" → "Alpha's"."""
    name = str(name)
    return f"{name}'" if name.endswith("s") else f"{name}'s"


@register.filter
def label_of(value, field):
    """A recorded value (a frozen document's) as a reader sees it: `{{ value|label_of:"state" }}`
    gives the choice's label, a time in the viewer's zone, "—" for nothing."""
    return labels.value_text(field, value)


@register.filter
def chosen_file(field):
    """The file a form sent for `field` (a bound field), or None: a page that comes back
    with errors names it, as the browser does not keep it."""
    files = getattr(field.form, "files", None)
    return files.get(field.html_name) if files else None


def _description(field):
    ids = [f"{field.auto_id}_helptext"] if field.help_text else []
    ids += [f"{field.auto_id}_error"] if field.errors else []
    return {"aria-describedby": " ".join(ids)} if ids else {}


@register.filter
def described(field):
    """A choice group's inputs (radios, checkboxes) rendered with its help text and errors
    as their description: Django describes a group's fieldset by neither, and a screen
    reader on one of its inputs would hear no word of why it is invalid."""
    return field.as_widget(attrs=_description(field) or None)


@register.filter
def described_choices(field):
    """A choice group's inputs one by one (`{% for box in field|described_choices %}`), each
    described as `described` describes them, for a page that lays them out itself."""
    attrs = field.build_widget_attrs({"id": field.auto_id, **_description(field)})
    return [BoundWidget(field.field.widget, widget, field.form.renderer)
            for widget in field.field.widget.subwidgets(field.html_name, field.value(), attrs)]

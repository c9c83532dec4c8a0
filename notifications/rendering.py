"""E-mails are rendered when they are sent, from the rows they refer to, as those are then.

A queued e-mail stores its context as references (`{"$ref": "app.model", "pk": 7}`) and
plain values, never a rendered text: a retry tells the time left at that retry, and an
e-mail whose subject has gone (a reminder whose obligation was met, waived or moved) is not
sent at all. A template that needs more than its stored context registers a builder here.
"""

import zoneinfo
from collections import defaultdict, namedtuple
from datetime import UTC, date, datetime

from django.apps import apps
from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from compliance.deadlines import is_late, past_due, step_applies
from compliance.inbox import inbox_counts, target_path
from compliance.models import Obligation

from .recipients import addressed, still_theirs

Rendered = namedtuple("Rendered", "subject body_text body_html")


class NotApplicable(Exception):
    """The e-mail no longer applies; its message says why."""


# --- Stored context ------------------------------------------------------------------

def encode(value):
    """`value` as JSON: model instances become references, times ISO strings."""
    if isinstance(value, models.Model):
        if value.pk is None:
            raise TypeError(f"an unsaved {value._meta.label} cannot go into an e-mail")
        return {"$ref": value._meta.label_lower, "pk": value.pk}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{type(value).__name__} cannot go into an e-mail's context")


def _refs(value, found):
    if isinstance(value, dict):
        if "$ref" in value:
            found[value["$ref"]].add(value["pk"])
        else:
            for v in value.values():
                _refs(v, found)
    elif isinstance(value, list):
        for v in value:
            _refs(v, found)


def load_refs(contexts):
    """{(label, pk): instance} for every reference in `contexts`: one query per model."""
    found = defaultdict(set)
    for context in contexts:
        _refs(context, found)
    loaded = {}
    for label, pks in found.items():
        model = apps.get_model(label)
        for pk, obj in model._base_manager.in_bulk(pks).items():
            loaded[(label, pk)] = obj
    return loaded


def decode(value, loaded):
    if isinstance(value, dict):
        if "$ref" in value:
            try:
                return loaded[(value["$ref"], value["pk"])]
            except KeyError:
                raise NotApplicable(f"its {value['$ref']} no longer exists") from None
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return date.fromisoformat(value["$date"])
        return {k: decode(v, loaded) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v, loaded) for v in value]
    return value


# --- Builders: templates whose context is computed at sending -----------------------

BUILDERS = {}


def builder(template):
    def register(function):
        BUILDERS[template] = function
        return function
    return register


def describe(delta):
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if hours or days:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return ", ".join(parts)


def obligation_context(obligation, audience, now):
    """What an obligation e-mail shows at `now`: never anything internal to USPS to
    provider staff (a USPS target's e-mail goes to USPS staff alone)."""
    left = obligation.due_at - now
    if obligation.is_usps_target:
        path = target_path(obligation)
    elif obligation.proceeding_id:
        path = reverse("proceeding-detail", args=[obligation.proceeding_id])
    elif obligation.incident_id:
        path = reverse("incident-detail", args=[obligation.incident_id])
    else:
        path = reverse("obligation-detail", args=[obligation.pk])
    return {
        "obligation": obligation,
        "audience": audience,
        "overdue": is_late(obligation.due_at, now),
        "time_left": describe(abs(left)),
        "due_at_utc": obligation.due_at.astimezone(UTC),
        "case_url": f"{settings.SITE_URL}{path}",
    }


@builder("obligation_reminder")
@builder("usps_target_reminder")
def _reminder(email, context, now):
    obligation = email.obligation
    if obligation is None or not obligation.is_outstanding:
        raise NotApplicable("the obligation is no longer owed")
    if not step_applies(email.step, obligation.due_at):
        raise NotApplicable("the obligation's due time has moved")
    if email.recipient is not None and not addressed(email.recipient, obligation,
                                                     email.audience):
        raise NotApplicable("the recipient's role or provider has changed since it was "
                            "written")
    if email.recipient is not None and email.recipient.is_usps \
            and not still_theirs(email.recipient, obligation, email.audience):
        raise NotApplicable("the step goes to someone else now (the case's reviewer, or for a "
                            "proceeding's decision the managers)")
    return obligation_context(obligation, email.audience, now)


DIGEST_ROWS = 50


@builder("daily_digest")
def _digest(email, context, now):
    from .models import EmailPreference

    reviewer = email.recipient
    if not EmailPreference.objects.filter(user=reviewer, daily_digest=True).exists():
        raise NotApplicable("the reviewer no longer takes the digest")
    outstanding = Obligation.objects.visible_to(reviewer).provider_duties().outstanding()
    return {
        "obligations": list(outstanding.select_related("provider").order_by("due_at")
                            [:DIGEST_ROWS]),
        "total": outstanding.count(),
        "overdue": outstanding.filter(due_at__lt=past_due(now)).count(),
        "usps_inbox": inbox_counts(reviewer, now),
        "now": now,
    }


# --- Rendering -----------------------------------------------------------------------

def render_email(template, context, recipient):
    """(subject, text, html) for `recipient`, with times shown in the recipient's zone."""
    ctx = {"recipient": recipient, "site_url": settings.SITE_URL, **context}
    try:
        zone = zoneinfo.ZoneInfo(recipient.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    base = f"notifications/email/{template}"
    with timezone.override(zone):
        subject = " ".join(render_to_string(f"{base}_subject.txt", ctx).split())
        text = render_to_string(f"{base}.txt", ctx)
        html = render_to_string(f"{base}.html", ctx)
    return Rendered(subject[:300], text, html)


# What only USPS staff read: internal comments, USPS's targets, news of filings and
# requests for USPS to act on, the digest. Sent to anyone else (someone who moved to a
# provider since it was written) they would carry USPS's own business out.
USPS_ONLY_TEMPLATES = frozenset({
    "comment_internal", "usps_target_reminder", "incident_filed", "incident_amended",
    "report_filed", "extension_requested", "procedures_uploaded", "daily_digest"})


# What is about the account itself, whichever side its holder is on: a change to how
# they sign in, a reset link they asked for. A move to another side does not hold it back.
ACCOUNT_TEMPLATES = frozenset({"security_notice", "password_reset_key"})

# The side an e-mail other than a reminder was written for (its `audience`): USPS, or
# one provider by id.
SIDE_USPS, SIDE_PROVIDER = "side:usps", "side:provider:"


def on_side(user, audience):
    """Whether `user` is (still) on the side `audience` names; True for an e-mail that
    names none (a reminder's audience is checked by its builder)."""
    if not audience.startswith("side:"):
        return True
    return audience == (SIDE_USPS if user.is_usps else f"{SIDE_PROVIDER}{user.provider_id}")


def render_one(email, loaded, now):
    """The e-mail as it would go out at `now`; NotApplicable when it should not go out."""
    if (email.template in USPS_ONLY_TEMPLATES and email.recipient is not None
            and not email.recipient.is_usps):
        raise NotApplicable("the recipient is no longer USPS staff")
    if email.recipient is not None and not on_side(email.recipient, email.audience):
        raise NotApplicable("the recipient has moved to another side since it was written")
    context = decode(email.context, loaded)
    build = BUILDERS.get(email.template)
    if build is not None:
        context = build(email, context, now)
    # An e-mail to an address alone (no account yet) gets its recipient from its builder.
    recipient = email.recipient or context.pop("recipient", None)
    if recipient is None or not recipient.is_active or not recipient.email:
        raise NotApplicable("the recipient is no longer active or has no address")
    return render_email(email.template, context, recipient)


def render_rows(emails, now=None):
    """{pk: Rendered, or None when the e-mail no longer applies} at `now` (read once)."""
    now = now or timezone.now()
    loaded = load_refs(e.context for e in emails)
    out = {}
    for email in emails:
        try:
            out[email.pk] = render_one(email, loaded, now)
        except NotApplicable:
            out[email.pk] = None
    return out

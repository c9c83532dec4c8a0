"""The thread of an incident between its provider and USPS."""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from compliance.errors import Conflict
from compliance.models import User
from compliance.services import hold_actor, record_event
from incidents.models import Comment, CommentSide, CommentVisibility, Incident
from notifications.services import queue_email

MAX_BODY = 10_000


def may_comment(user, incident):
    """Officers of the incident's provider and USPS staff write; provider viewers read."""
    if not user.is_authenticated:
        return False
    if user.is_usps:
        return True
    return user.is_provider_officer and user.provider_id == incident.provider_id


@transaction.atomic
def add_comment(*, actor, incident, body, visibility=None, submission_key=""):
    """Append a comment to a filed incident's thread. Provider officers write shared
    comments only (the default); USPS staff say `shared` or `internal`, so that nothing
    internal is shared by a default, and an internal one reaches USPS alone (page, API,
    e-mail, timeline). The other side is e-mailed after commit.

    `submission_key`: the form's key. The same form sent again with the same comment (a
    double click, a retry) answers the comment it added; nothing more is added (a comment
    is never removed)."""
    if not may_comment(actor, incident):
        raise PermissionDenied("Only the provider's officers and USPS staff comment.")
    if visibility is None:
        if actor.is_usps:
            raise ValidationError({"visibility": [
                "Choose who sees it: shared with the provider, or internal to USPS."]})
        visibility = CommentVisibility.SHARED
    if visibility not in CommentVisibility.values:
        raise ValidationError({"visibility": [
            f"Choose one of {', '.join(CommentVisibility.values)}."]})
    if visibility == CommentVisibility.INTERNAL and not actor.is_usps:
        raise PermissionDenied("Only USPS staff write internal comments.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write the comment."]})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": [f"At most {MAX_BODY:,} characters."]})
    incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    # As they are now: a request read before their account was closed, or moved.
    if not may_comment(hold_actor(actor), incident):
        raise PermissionDenied("Only the provider's officers and USPS staff comment.")
    if visibility == CommentVisibility.INTERNAL and not actor.is_usps:
        raise PermissionDenied("Only USPS staff write internal comments.")
    if incident.is_draft:
        raise Conflict("File the notification first: USPS cannot see a draft.")
    key = _key(submission_key, body, visibility)
    if key:
        sent = Comment.objects.filter(incident=incident, author=actor,
                                      submission_key=key).first()
        if sent is not None:
            return sent
    now = timezone.now()
    comment = Comment.objects.create(
        incident=incident, author=actor, body=body, visibility=visibility, created_at=now,
        author_side=CommentSide.USPS if actor.is_usps else CommentSide.PROVIDER,
        submission_key=key)
    # The event names the comment, never its text; an internal one is USPS-only.
    record_event(actor=actor, obj=incident, action="incident.comment_added", at=now,
                 changes={"comment": [None, comment.pk], "visibility": [None, visibility]},
                 usps_only=comment.is_internal)
    queue_comment_emails(comment)
    return comment


def _key(submission_key, body, visibility):
    """The form's key with a digest of what it said: the same form sent with another text
    (edited after going back) adds that comment."""
    if not submission_key:
        return ""
    digest = hashlib.sha256(f"{visibility}\n{body}".encode()).hexdigest()[:16]
    return f"{submission_key[:64]}:{digest}"


def _usps_readers(incident):
    return User.objects.reviewers_for(incident.assigned_reviewer)


def comment_recipients(comment):
    """Who hears of a comment: a shared one goes to the other side (the provider's officers,
    or the assigned reviewer, else every reviewer); an internal one to USPS alone."""
    incident = comment.incident
    if comment.is_internal or comment.author.is_provider_staff:
        people = _usps_readers(incident)
    else:
        people = list(User.objects.officers_of(incident.provider_id))
    recipients = [u for u in people if u.pk != comment.author_id]
    # Belt and braces: whatever the lists say, an internal comment never reaches a provider.
    if comment.is_internal:
        recipients = [u for u in recipients if u.is_usps]
    return recipients


def queue_comment_emails(comment):
    queue_email(recipients=comment_recipients(comment),
                template="comment_internal" if comment.is_internal else "comment_shared",
                context={"incident": comment.incident, "comment": comment,
                         "case_path": reverse("incident-detail", args=[comment.incident_id])},
                key=f"comment:{comment.pk}")

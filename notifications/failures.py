"""E-mails that could not be delivered, for USPS managers to act on: send them again (the
mail settings fixed, an address corrected) or mark them handled (the person reached
another way). Either clears them from the warning every manager's page carries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Left
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from compliance.api.fields import id_from
from compliance.models import Obligation
from compliance.services import record_event
from compliance.services.users import hold_actor

from .models import EmailState, OutboundEmail
from .rendering import NotApplicable, load_refs, render_one


def failed_email_count(request):
    """Context processor: USPS managers see on every page how many e-mails failed for good."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_usps_manager:
        return {}
    return {"failed_email_count": OutboundEmail.objects.filter(state=EmailState.FAILED).count()}


@login_required
def failed_emails(request):
    if not request.user.is_usps_manager:
        raise PermissionDenied
    if request.method == "POST":
        _act(request)
        # Back to the page acted from: what is left to do is listed there.
        page = id_from(request.GET.get("page"))
        return redirect(reverse("failed-emails") + (f"?page={page}" if page else ""))
    emails = (OutboundEmail.objects.filter(state=EmailState.FAILED)
              .select_related("recipient").order_by("-next_attempt_at", "-id"))
    page = Paginator(emails, 50).get_page(request.GET.get("page"))
    named(page.object_list, request.user)
    return render(request, "notifications/failed_emails.html", {"page": page})


# A reminder of a draft's 24-hour duty names the draft, which is the provider's alone.
UNSEEN_DUTY = "A reminder to the provider of a duty on a case not yet filed"


def named(emails, user):
    """Each e-mail's `shown_subject` for `user`: its subject, unless it is about a duty
    `user` may not see (a reminder of a draft's duty names the draft's title)."""
    emails = list(emails)
    about = {email.obligation_id for email in emails if email.obligation_id}
    seen = set(Obligation.objects.visible_to(user).filter(pk__in=about)
               .values_list("pk", flat=True)) if about else set()
    for email in emails:
        email.shown_subject = (email.subject or email.template
                               if email.obligation_id is None or email.obligation_id in seen
                               else UNSEEN_DUTY)
    return emails


def _act(request):
    action = request.POST.get("action")
    ticked = [pk for pk in map(id_from, request.POST.getlist("email")) if pk is not None]
    if action not in ("resend", "handled"):
        messages.error(request, "Choose to send them again or to mark them handled.")
        return
    if not ticked:
        messages.error(request, "Tick the e-mails to act on.")
        return
    if action == "resend":
        done, not_sendable = resend_failed(request.user, ticked)
        named([email for email, _ in not_sendable], request.user)
        for email, reason in not_sendable:
            messages.error(request, f"Not sent again: the e-mail to {email.to_address} "
                                    f"({email.shown_subject}) can no longer go, "
                                    f"{reason}. Mark it handled once they are told.")
        if not_sendable and not done:
            return
    else:
        done = mark_handled(request.user, ticked)
    if not done:
        messages.error(request, "None of the ticked e-mails is still undelivered: another "
                                "manager acted on them.")
    elif action == "resend":
        messages.success(request, f"{len(done)} e-mail{'s' if len(done) > 1 else ''} will be "
                                  "sent again within minutes, with up to six tries.")
    else:
        messages.success(request, f"{len(done)} e-mail{'s' if len(done) > 1 else ''} marked "
                                  "handled.")


@transaction.atomic
def resend_failed(actor, ids):
    """Put the undelivered e-mails among `ids` back in the outbox as new, with a fresh set of
    tries, rendered as things are then. Returns (those it put back, [(e-mail, why)] of
    those that can no longer go: a reset link expired, an invitation used or withdrawn, a
    recipient gone to the other side; left undelivered for the manager to mark handled).
    E-mails already acted on are in neither."""
    emails = _still_failed(actor, ids)
    loaded, now = load_refs(email.context for email in emails), timezone.now()
    going, not_sendable = [], []
    for email in emails:
        try:
            render_one(email, loaded, now)
        except NotApplicable as reason:
            not_sendable.append((email, str(reason)))
            continue
        except Exception:  # noqa: BLE001, S110 - what the worker then meets, it records
            pass
        going.append(email)
    OutboundEmail.objects.filter(pk__in=[e.pk for e in going]).update(
        state=EmailState.PENDING, attempts=0, next_attempt_at=now)
    for email in going:
        record_event(actor=actor, obj=email, action="email.resent", usps_only=True,
                     changes={"state": [EmailState.FAILED.value, EmailState.PENDING.value]})
    return going, not_sendable


@transaction.atomic
def mark_handled(actor, ids):
    """Mark the undelivered e-mails among `ids` handled: not sent, and no longer warned of."""
    emails = _still_failed(actor, ids)
    OutboundEmail.objects.filter(pk__in=[e.pk for e in emails]).update(
        state=EmailState.SKIPPED,
        last_error=Left(Concat(Value(f"Not sent: marked handled by {actor}. Last error: "),
                               F("last_error")), 2000))
    for email in emails:
        record_event(actor=actor, obj=email, action="email.marked_handled", usps_only=True,
                     changes={"state": [EmailState.FAILED.value, EmailState.SKIPPED.value]})
    return emails


def _still_failed(actor, ids):
    """The undelivered e-mails among `ids`, locked, for `actor` a USPS manager as they are
    now (a request read before their account was closed or their role changed is refused)."""
    if not hold_actor(actor).is_usps_manager:
        raise PermissionDenied
    return list(OutboundEmail.objects.select_for_update(of=("self",))
                .filter(pk__in=ids, state=EmailState.FAILED).select_related("recipient")
                .order_by("pk"))

"""E-mails that could not be delivered, for USPS managers to act on."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from .models import EmailState, OutboundEmail


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
    emails = (OutboundEmail.objects.filter(state=EmailState.FAILED)
              .select_related("recipient").order_by("-next_attempt_at", "-id"))
    page = Paginator(emails, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/failed_emails.html", {"page": page})

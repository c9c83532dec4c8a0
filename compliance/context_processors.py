from django.conf import settings
from django.utils import timezone

from .inbox import inbox_counts
from .models import Heartbeat


def sweep_watchdog(request):
    """For USPS staff: warn on every page when the deadline sweep has stopped running."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_usps:
        return {}
    interval = settings.SWEEP_INTERVAL_SECONDS
    last = Heartbeat.objects.filter(name="sweep").values_list("at", flat=True).first()
    if last is not None and (timezone.now() - last).total_seconds() <= 2 * interval:
        return {}
    return {"sweep_stalled": True, "sweep_last_at": last}


def usps_inbox_counts(request):
    """For USPS staff: how many items wait on USPS, and how many are past their target, for
    the navigation of every page (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_usps:
        return {}
    return {"usps_inbox": inbox_counts(user, timezone.now())}

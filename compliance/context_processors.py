from django.conf import settings
from django.utils import timezone

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

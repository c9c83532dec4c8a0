from django.conf import settings
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from .enforcement.status import holder
from .inbox import inbox_counts
from .models import Heartbeat
from .models.register import AuthorizationStatus
from .tasks import SCHEDULER_STARTED, SWEEP


def sweep_watchdog(request):
    """For USPS staff: warn on every page when the deadline sweep has stopped running:
    when it has missed two intervals, but not in the first two intervals after the
    scheduler starts (its first sweep is still to come)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_usps:
        return {}
    grace = 2 * settings.SWEEP_INTERVAL_SECONDS
    now = timezone.now()
    beats = dict(Heartbeat.objects.filter(name__in=[SWEEP, SCHEDULER_STARTED])
                 .values_list("name", "at"))
    last, started = beats.get(SWEEP), beats.get(SCHEDULER_STARTED)
    for moment in (last, started):
        if moment is not None and (now - moment).total_seconds() <= grace:
            return {}
    return {"sweep_stalled": True, "sweep_last_at": last}


def usps_inbox_counts(request):
    """For USPS staff: how many items wait on USPS, and how many are past their target, for
    the navigation of every page (one query, made when the page shows them: not when the
    page has counted them itself, as the home page does)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_usps:
        return {}
    return {"usps_inbox": SimpleLazyObject(lambda: inbox_counts(user, timezone.now()))}


def authorization_banner(request):
    """For the staff of a suspended or revoked provider: on every page, since when and by
    which proceeding, or set by hand in the register (two queries, only then). They can
    still read and file."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_provider_staff:
        return {}
    provider = user.provider
    if provider.authorization_status == AuthorizationStatus.AUTHORIZED:
        return {}
    # The proceeding that holds the provider at its status now (not one withdrawn since,
    # whose notice changed nothing while another held the provider suspended), or USPS's
    # change by hand in the register.
    step, since = holder(provider)
    return {"authorization_banner": {"provider": provider, "step": step, "since": since}}

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from accounts.services.factors import lacks_required_factor
from compliance.errors import REFUSALS, Conflict
from compliance.forms import refuse_on_form
from compliance.models import DeadlinePolicy, ObligationKind, RevenueRisk
from compliance.models.obligations import USPS_KINDS
from compliance.services.policy import in_force_periods, save_deadline_policy

from . import calendar
from .forms import DeadlinePolicyForm, EmailPreferenceForm
from .models import CalendarFeed
from .preferences import can_take_digest, preference_of, update_email_preference

POLICY_HISTORY_ROWS = 50


def _feed_of(user):
    try:
        return user.calendar_feed
    except CalendarFeed.DoesNotExist:
        return None


@login_required
def preferences(request):
    """Reminder e-mail choices and the private calendar feed of the signed-in user."""
    user = request.user
    preference = preference_of(user)
    form = EmailPreferenceForm(initial=EmailPreferenceForm.initial_for(preference), user=user)
    new_feed_url, status = None, 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "preferences":
            form = EmailPreferenceForm(request.POST, user=user)
            if form.is_valid():
                try:
                    update_email_preference(
                        actor=user, muted_kinds=form.muted_kinds,
                        daily_digest=form.cleaned_data.get("daily_digest", False))
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, "E-mail preferences saved.")
                    return redirect("notification-preferences")
        elif action == "make_feed":
            _, secret = calendar.make_calendar_feed(actor=user)
            new_feed_url = calendar.feed_url(secret)
        elif action == "revoke_feed":
            calendar.revoke_calendar_feed(actor=user)
            messages.success(request, "Calendar feed revoked: its address no longer works.")
            return redirect("notification-preferences")
        else:
            messages.error(request, "This page has no such action: nothing was changed.")
            status = 400
    return render(request, "notifications/preferences.html", {
        "form": form,
        "feed": _feed_of(user),
        "new_feed_url": new_feed_url,
        "digest_offered": can_take_digest(user),
    }, status=status)


@require_safe
def calendar_feed(request, secret):
    """The iCal feed behind a secret URL; calendar apps cannot sign in, the secret is the key.
    An unknown or revoked secret is 404, like any object the caller may not see."""
    feed = calendar.feed_for_secret(secret)
    if feed is None:
        raise Http404("No such calendar feed.")
    if lacks_required_factor(feed.user):
        # As their API tokens: after a manager's reset, until they enrol a factor again.
        return HttpResponse("Enrol a second factor first, on the site: this feed answers "
                            "again then.", status=403, content_type="text/plain; charset=utf-8")
    body = calendar.render_calendar(calendar.feed_obligations(feed.user))
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _period_values(policy):
    periods = in_force_periods(policy)
    return [*periods["correction_days"].values(), periods["defense_days"],
            periods["appeal_days"], periods["suspension_days"]]


@login_required
def deadline_policy(request):
    """USPS managers: the deadline policy in force, its versions, and a form for the next."""
    if not request.user.is_usps_manager:
        raise PermissionDenied
    form, status = None, 200
    if request.method == "POST":
        form = DeadlinePolicyForm(request.POST)
        if form.is_valid():
            try:
                policy = save_deadline_policy(actor=request.user, **form.service_arguments())
            except REFUSALS as exc:
                answer = refuse_on_form(form, exc)
                if isinstance(exc, Conflict):  # another version was saved meanwhile
                    status = answer
            else:
                messages.success(request, f"Deadline policy version {policy.version} is in "
                                          "force. Deadlines already set do not move.")
                return redirect("deadline-policy")
    # The newest version is the one in force: one query serves both.
    versions = list(DeadlinePolicy.objects.select_related("created_by")
                    .order_by("-version")[:POLICY_HISTORY_ROWS])
    in_force = versions[0] if versions else DeadlinePolicy.defaults()
    if form is None:
        form = DeadlinePolicyForm(initial=DeadlinePolicyForm.initial_for(in_force))
    return render(request, "notifications/deadline_policy.html", {
        "form": form,
        "policy": in_force,
        "is_default": in_force.pk is None,
        "versions": versions,
        "risk_rows": [(risk.label, in_force.risk_windows.get(risk.value, {}))
                      for risk in RevenueRisk],
        "offset_rows": [(kind.label, in_force.offsets_for(kind.value))
                        for kind in ObligationKind],
        "target_rows": [(kind.label.replace(" (USPS target)", ""),
                         in_force.usps_target(kind.value)) for kind in USPS_KINDS],
        "period_rows": [(label, value) for (_, label), value in zip(
            DeadlinePolicyForm.period_labels(), _period_values(in_force), strict=True)],
    }, status=status)

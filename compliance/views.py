from copy import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from . import services
from .api.fields import id_from
from .api.filters import ObligationFilter, ProviderFilter
from .errors import Conflict
from .exports.columns import inbox_columns, obligation_columns
from .exports.pages import list_export, list_query
from .forms import AffiliateForm, ApiTokenForm, ProfileForm, refuse_on_form
from .inbox import LABELS, InboxFilter, inbox, inbox_counts, short_kind, target_path
from .models import Affiliate, AuditEvent, Obligation, Provider
from .sent_once import answered, first_sending, sent_before

DASHBOARD_ROWS = 50
INBOX_ROWS = 25


def _history(user, obj, limit=50):
    return AuditEvent.objects.visible_to(user).for_object(obj).select_related("actor")[:limit]


@login_required
def home(request):
    """Provider staff: what their provider owes. USPS staff: first what waits on USPS (the
    inbox), then what providers owe."""
    user = request.user
    outstanding = (Obligation.objects.visible_to(user).provider_duties().outstanding()
                   .order_by("due_at", "id"))
    context = {
        "outstanding_count": outstanding.count(),
        "now": timezone.now(),
    }
    if user.is_provider_staff:
        context["provider"] = user.provider
        context["procedures_with_usps"] = (user.provider.procedure_documents.pending()
                                           .order_by("-version").first())
    else:
        filterset = InboxFilter(request.GET, queryset=inbox(user), request=request)
        # `?format=csv` on the USPS home page: the whole filtered inbox.
        export = list_export(request, filterset, inbox_columns, "usps-inbox")
        if export is not None:
            return export
        context["provider_count"] = Provider.objects.visible_to(user).count()
        # The navigation's counts, counted here: the whole inbox is paged on them.
        context["usps_inbox"] = inbox_counts(user, context["now"])
        context.update(inbox_context(request, filterset, context["usps_inbox"]["waiting"]))
    context["obligations"] = _with_links(outstanding.select_related("provider")[:DASHBOARD_ROWS])
    # A filter of the inbox it refuses is a bad request, as on every list (the page says
    # what is wrong).
    refused = user.is_usps and request.GET and not filterset.is_valid()
    return render(request, "compliance/home.html", context, status=400 if refused else 200)


def _with_links(obligations):
    """The rows of what is owed, each with the paths it links to (reversed here)."""
    rows = list(obligations)
    for obligation in rows:
        obligation.path = reverse("obligation-detail", args=[obligation.pk])
        obligation.case_path = _case_path(obligation) or _proceeding_path(obligation)
    return rows


def _case_path(item):
    """The page of the case an obligation or a USPS target belongs to, if any."""
    return reverse("incident-detail", args=[item.incident_id]) if item.incident_id else None


def _proceeding_path(obligation):
    """The page of the proceeding a period belongs to, if any."""
    return (reverse("proceeding-detail", args=[obligation.proceeding_id])
            if obligation.proceeding_id else None)


def inbox_context(request, filterset, waiting):
    """The "Waiting on USPS" list of the USPS home page, filtered and paginated; `waiting`:
    how many items wait on USPS in all."""
    items = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    paginator = Paginator(items, INBOX_ROWS)
    if filterset.shows_everything():
        paginator.count = waiting
    page = paginator.get_page(request.GET.get("page"))
    for target in page:
        target.inbox_kind = LABELS[short_kind(target)]
        target.path = target_path(target)
        target.case_path = _case_path(target)
    return {"inbox_page": page, "inbox_filter": filterset, "inbox_query": list_query(request),
            "inbox_kinds": list(LABELS.items()),
            "current": {key: request.GET.get(key, "") for key in ("kind", "assigned_to_me")}}


@login_required
def obligation_list(request):
    """Every obligation the user may see, filtered like the API's list, nearest due first;
    `?format=csv` gives the whole filtered list."""
    user = request.user
    filterset = ObligationFilter(
        request.GET, request=request,
        queryset=Obligation.objects.visible_to(user).select_related("provider")
        .order_by("due_at", "id"))
    export = list_export(request, filterset, obligation_columns, "obligations")
    if export is not None:
        return export
    valid = filterset.is_valid()
    obligations = filterset.qs if valid else Obligation.objects.none()
    return render(request, "compliance/obligation_list.html", {
        "page": Paginator(obligations, 50).get_page(request.GET.get("page")),
        "filterset": filterset,
        "query": list_query(request),
        "providers": Provider.objects.visible_to(user).order_by("name") if user.is_usps
        else None,
        "now": timezone.now(),
    }, status=200 if valid else 400)


@login_required
def provider_list(request):
    user = request.user
    if user.is_provider_staff:
        return redirect("provider-detail", pk=user.provider_id)
    filterset = ProviderFilter(request.GET, queryset=Provider.objects.visible_to(user))
    valid = filterset.is_valid()
    providers = filterset.qs if valid else Provider.objects.none()
    q = filterset.form.cleaned_data.get("q", "") if valid else ""
    page = Paginator(providers, 50).get_page(request.GET.get("page"))
    # Every filter the rows were chosen by, for the page links.
    query = list_query(request) if valid else ""
    return render(request, "compliance/provider_list.html",
                  {"page": page, "q": q, "query": query, "filterset": filterset},
                  status=200 if valid else 400)


@login_required
def provider_detail(request, pk):
    provider = get_object_or_404(Provider.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "compliance/provider_detail.html",
        {
            "provider": provider,
            "affiliates": provider.affiliates.all(),
            "pes_models": provider.pes_models.all(),
            "status_changes": provider.status_changes.select_related("changed_by")[:20],
            "history": _history(request.user, provider),
            "can_edit_affiliates": request.user.is_usps_manager
            or (request.user.is_provider_officer and request.user.provider_id == provider.pk),
        },
    )


class AffiliateEditView(LoginRequiredMixin, View):
    """Add (no pk) or edit an affiliate: the provider's officers and USPS managers."""

    template_name = "compliance/affiliate_form.html"

    def _load(self, request, provider_pk, pk):
        provider = get_object_or_404(Provider.objects.visible_to(request.user), pk=provider_pk)
        affiliate = None
        if pk is not None:
            affiliate = get_object_or_404(
                Affiliate.objects.visible_to(request.user), pk=pk, provider=provider
            )
        user = request.user
        if not (user.is_usps_manager
                or (user.is_provider_officer and user.provider_id == provider.pk)):
            raise PermissionDenied
        return provider, affiliate

    def _render(self, request, provider, affiliate, form, status=200):
        history = _history(request.user, affiliate) if affiliate else []
        return render(request, self.template_name,
                      {"provider": provider, "affiliate": affiliate, "form": form,
                       "history": history}, status=status)

    def get(self, request, provider_pk, pk=None):
        provider, affiliate = self._load(request, provider_pk, pk)
        initial = {"based_on": services.affiliate_digest(affiliate)} if affiliate else {}
        return self._render(request, provider, affiliate,
                            AffiliateForm(instance=affiliate, initial=initial))

    def post(self, request, provider_pk, pk=None):
        provider, affiliate = self._load(request, provider_pk, pk)
        # The form fills a copy: a refused edit shows the affiliate as it is saved.
        form = AffiliateForm(request.POST, instance=copy(affiliate))
        status = 200
        if form.is_valid():
            values = dict(form.cleaned_data)
            based_on = values.pop("based_on") or None
            try:
                if affiliate is None:
                    services.create_affiliate(actor=request.user, provider=provider,
                                              **values)
                    messages.success(request, "Affiliate added.")
                else:
                    services.update_affiliate(actor=request.user, affiliate=affiliate,
                                              based_on=based_on, **values)
                    messages.success(request, "Affiliate saved.")
                return redirect("provider-detail", pk=provider.pk)
            except Conflict as exc:
                # Saved since the page was filled: the page now answers it as it is.
                affiliate = Affiliate.objects.get(pk=affiliate.pk)
                form.data = form.data.copy()
                form.data["based_on"] = services.affiliate_digest(affiliate)
                status = refuse_on_form(form, exc)
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
        else:
            status = 400
        return self._render(request, provider, affiliate, form, status)


@login_required
def profile(request):
    user = request.user
    profile_form = ProfileForm(initial={"timezone": user.timezone})
    token_form = ApiTokenForm()
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "timezone":
            profile_form = ProfileForm(request.POST)
            if profile_form.is_valid():
                services.update_profile(actor=user,
                                        timezone_name=profile_form.cleaned_data["timezone"])
                messages.success(request, "Time zone saved.")
                return redirect("profile")
        elif action == "create_token":
            token_form = ApiTokenForm(request.POST)
            if token_form.is_valid():
                data = token_form.cleaned_data
                with transaction.atomic():
                    # Pressed twice, the page shows the second answer: the key of the first
                    # is never seen, and a second token is not made beside it.
                    if first_sending(user, data["submission_key"], "token", data["name"]):
                        try:
                            token, new_key = services.create_api_token(user=user,
                                                                       name=data["name"])
                        except ValidationError as closed:
                            # The account was closed as this request ran.
                            raise PermissionDenied(" ".join(closed.messages)) from closed
                        answered(user, data["submission_key"], token.prefix, "token",
                                 data["name"])
                        token_form = ApiTokenForm()
                    else:
                        made = sent_before(user, data["submission_key"], "token",
                                           data["name"])
                        messages.info(request, (
                            f"This form was already sent: it made token {made.answer}…, "
                            "whose key was shown once, on the page that answered it. If "
                            "you did not copy it, revoke that token and make another."))
                        return redirect("profile")
        elif action == "revoke_token":
            token = get_object_or_404(user.api_tokens.all(),
                                      pk=id_from(request.POST.get("token")))
            services.revoke_api_token(user=user, token=token)
            messages.success(request, f"Token {token.prefix}… revoked.")
            return redirect("profile")
    return render(request, "compliance/profile.html", {
        "profile_form": profile_form,
        "token_form": token_form,
        "tokens": user.api_tokens.all(),
        "new_key": new_key,
    })

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import FactorResetForm, ReasonForm, RoleForm
from accounts.models import Invitation
from compliance.api.fields import id_from
from compliance.errors import Conflict
from compliance.models import AuditEvent, Provider, Role, User
from compliance.models.users import PROVIDER_ROLES

from .common import add_errors, manages_people

PAGE_SIZE = 50


@manages_people
def people(request):
    """Everyone the signed-in manager or officer looks after, and invitations still open,
    each list paged on its own."""
    user = request.user
    staff = User.objects.visible_to(user).select_related("provider").order_by("username")
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    provider = request.GET.get("provider", "")
    # PostgreSQL refuses a NUL in text: like the other lists' filters, the search is refused.
    valid = "\x00" not in q
    if not valid:
        staff, q = staff.none(), ""
    elif q:
        # The name as the list shows it ("Jane Smith") too.
        staff = staff.annotate(full_name=Concat("first_name", Value(" "), "last_name")).filter(
            Q(username__icontains=q) | Q(email__icontains=q) | Q(full_name__icontains=q))
    if role in Role.values:
        staff = staff.filter(role=role)
    provider_id = id_from(provider)
    if provider_id is not None and user.is_usps_manager:
        staff = staff.filter(provider_id=provider_id)
    page = Paginator(staff, PAGE_SIZE).get_page(request.GET.get("page"))
    invitations = Paginator(Invitation.objects.visible_to(user).pending()
                            .select_related("provider", "invited_by"), PAGE_SIZE
                            ).get_page(request.GET.get("invitations_page"))
    filters = [(k, v) for k, v in (("q", q), ("role", role), ("provider", provider)) if v]
    # Each pager keeps the filters and the other list's page.
    kept_invitations = [("invitations_page", invitations.number)] if invitations.number > 1 else []
    kept_page = [("page", page.number)] if page.number > 1 else []
    return render(request, "accounts/people.html", {
        "page": page, "invitations": invitations, "q": q, "role": role,
        "provider": provider, "query": urlencode(filters + kept_invitations),
        "invitations_query": urlencode(filters + kept_page),
        "roles": Role.choices if user.is_usps_manager
        else [(r.value, r.label) for r in PROVIDER_ROLES],
        "providers": Provider.objects.order_by("name") if user.is_usps_manager else [],
    }, status=200 if valid else 400)


def _person(request, pk):
    return get_object_or_404(User.objects.visible_to(request.user).select_related("provider"),
                             pk=pk)


@manages_people
def person_detail(request, pk, forms=None):
    person = _person(request, pk)
    forms = forms or {}
    history = (AuditEvent.objects.visible_to(request.user).for_object(person)
               .select_related("actor")[:50])
    return render(request, "accounts/person_detail.html", {
        "person": person,
        "is_self": person.pk == request.user.pk,
        "has_factor": services.has_factor(person),
        "role_form": forms.get("role") or RoleForm(actor=request.user, initial={
            "role": person.role, "provider": person.provider if request.user.is_usps_manager
            else person.provider_id, "shown_role": person.role,
            "shown_provider": person.provider_id}),
        "reason_form": forms.get("reason") or ReasonForm(),
        "may_reactivate": services.may_reactivate(request.user, person),
        "factor_form": forms.get("factor") or FactorResetForm(),
        "history": history,
    })


def _act(request, pk, form_key, form, action, done):
    person = _person(request, pk)
    if form.is_valid():
        try:
            action(person, form)
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "You may not do that.")
            return redirect("person-detail", pk=person.pk)
        except Conflict as exc:  # done already (the form sent twice): nothing more to do
            messages.error(request, exc.message)
            return redirect("person-detail", pk=person.pk)
        else:
            messages.success(request, done)
            return redirect("person-detail", pk=person.pk)
    return person_detail(request, pk, forms={form_key: form})


@manages_people
@require_POST
def change_role(request, pk):
    form = RoleForm(request.POST, actor=request.user)
    return _act(request, pk, "role", form, lambda person, f: services.change_role(
        actor=request.user, user=person, role=f.cleaned_data["role"],
        provider_id=f.provider_id(), reason=f.cleaned_data["reason"], shown=f.shown()),
        "Role changed.")


@manages_people
@require_POST
def deactivate(request, pk):
    return _act(request, pk, "reason", ReasonForm(request.POST), lambda person, f:
                services.deactivate_user(actor=request.user, user=person,
                                         reason=f.cleaned_data["reason"]),
                "Account deactivated: its sessions ended and its API tokens were revoked.")


@manages_people
@require_POST
def reactivate(request, pk):
    return _act(request, pk, "reason", ReasonForm(request.POST), lambda person, f:
                services.reactivate_user(actor=request.user, user=person,
                                         reason=f.cleaned_data["reason"]),
                "Account reactivated.")


@manages_people
@require_POST
def reset_factor(request, pk):
    if not request.user.is_usps_manager:
        raise PermissionDenied
    return _act(request, pk, "factor", FactorResetForm(request.POST), lambda person, f:
                services.reset_user_factor(actor=request.user, user=person,
                                           reason=f.cleaned_data["reason"]),
                "Second factor removed: they enrol a new one at their next sign-in.")

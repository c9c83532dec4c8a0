from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from compliance.canonical import canonical_json, sha256_of
from compliance.changes import publish
from compliance.errors import Conflict
from compliance.models import (
    Affiliate,
    Obligation,
    ObligationKind,
    PESModel,
    ProcedureDocument,
    Provider,
    ProviderStatusChange,
)
from compliance.text import as_name

from .audit import diff_fields, record_event
from .chain import hold_chain
from .procedures import open_procedures_obligation
from .users import hold_actor

# A manager set a provider's authorization status in the register (the notifications app
# tells the provider's officers and the managers, as it does for a proceeding's change).
STATUS_SET = "provider.status_set"


def _require_manager(actor):
    if not actor.is_usps_manager:
        raise PermissionDenied("Only USPS managers manage the register.")


def _require_manager_now(actor):
    """`_require_manager` of the actor as they are now (`hold_actor`, after what the write
    locks): a request read before they were closed or moved is refused."""
    _require_manager(hold_actor(actor))


def _apply(instance, values: dict):
    for field, value in values.items():
        setattr(instance, field, value)
    _checked_save(instance)


def _named(values):
    """`values` with its name, if any, in the register's one form (`as_name`)."""
    return {**values, "name": as_name(values["name"])} if "name" in values else values


def _checked_save(instance):
    """Check `instance` and save it. A twin sent at the same moment (a double click, a
    retry) passes the check too, and the database's unique index refuses the second: it is
    checked again then, and told as the check tells it (the name is taken), not a 500."""
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        instance.full_clean()
        raise


@transaction.atomic
def create_provider(*, actor, name, authorization_number="", authorization_status="authorized",
                    timezone_name="America/New_York"):
    """Register a provider (USPS managers); its authorization number is optional and
    unique when given; `timezone_name` is the zone in which its deadlines "by the end of a
    day" end. Opens its § 501.11(d) procedures duty."""
    _require_manager_now(actor)
    name = as_name(name)
    provider = Provider(
        name=name,
        authorization_number=authorization_number,
        authorization_status=authorization_status,
        timezone=timezone_name,
    )
    _checked_save(provider)
    ProviderStatusChange.objects.create(
        provider=provider,
        from_status="",
        to_status=authorization_status,
        reason="Registered.",
        changed_by=actor,
        changed_at=timezone.now(),
    )
    record_event(actor=actor, obj=provider, action="provider.created",
                 changes={"name": [None, name],
                          "authorization_status": [None, authorization_status]})
    # § 501.11(d): a new provider owes its internal reporting procedures from the start.
    open_procedures_obligation(actor=actor, provider=provider)
    return provider


@transaction.atomic
def update_provider(*, actor, provider, reason="", **values):
    """Change a provider's details; a change of authorization status needs a reason."""
    _require_manager(actor)
    provider = Provider.objects.select_for_update(no_key=True).get(pk=provider.pk)
    _require_manager_now(actor)
    values = _named(values)
    changes = diff_fields(provider, values)
    if not changes:
        return provider
    old_status = provider.authorization_status
    if "authorization_status" in changes:
        if not reason.strip():
            raise ValidationError({"reason": "Say why the authorization status changes."})
    if "name" in changes:
        # What is still owed under the provider's name is owed under its new one (before
        # the chain: a sweep holding those duties takes the chain after them).
        _rename_in_subjects(provider, values["name"])
        hold_chain()  # the new name locks the row beyond FOR NO KEY UPDATE
    _apply(provider, values)
    if "authorization_status" in changes:
        change = ProviderStatusChange.objects.create(
            provider=provider,
            from_status=old_status,
            to_status=provider.authorization_status,
            reason=reason,
            changed_by=actor,
            changed_at=timezone.now(),
        )
        publish(STATUS_SET, provider=provider.pk, change=change.pk)
    record_event(actor=actor, obj=provider, action="provider.updated", changes=changes,
                 reason=reason)
    return provider


def _rename_in_subjects(provider, new_name):
    """The subjects the product wrote with the provider's name (its procedures duty, USPS's
    targets to review its versions and to decide an extension of it) read its new name
    while outstanding; a case's
    subject, whatever its title says, is as filed."""
    from .extensions import extension_subject
    from .procedures import procedures_subject

    duties = list(Obligation.objects.outstanding().select_for_update(no_key=True)
                  .filter(provider=provider, kind__in=[ObligationKind.PROCEDURES,
                                                       ObligationKind.USPS_PROCEDURES_REVIEW])
                  .order_by("pk"))
    versions = dict(ProcedureDocument.objects.filter(
        pk__in=[d.object_id for d in duties if d.kind == ObligationKind.USPS_PROCEDURES_REVIEW])
        .values_list("pk", "version"))
    renamed = {}  # USPS's items to decide an extension of a duty renamed: old -> new
    relabelled = []
    for duty in duties:
        version = (versions.get(duty.object_id)
                   if duty.kind == ObligationKind.USPS_PROCEDURES_REVIEW else None)
        # As the name reads in the register's one form: a subject written before names
        # were kept so still follows the provider's renames.
        if as_name(duty.subject) == as_name(procedures_subject(provider.name, version)):
            subject = procedures_subject(new_name, version)
            renamed[extension_subject(duty)] = extension_subject(duty, subject)
            duty.subject = subject
            relabelled.append(duty)
    items = list(Obligation.objects.outstanding().select_for_update(no_key=True)
                 .filter(provider=provider, kind=ObligationKind.USPS_EXTENSION_DECISION,
                         subject__in=list(renamed)).order_by("pk"))
    for item in items:
        item.subject = renamed[item.subject]
    Obligation.objects.bulk_update([*relabelled, *items], ["subject"])


def _check_may_edit_affiliates(actor, provider):
    if actor.is_usps_manager:
        return
    if actor.is_provider_officer and actor.provider_id == provider.pk:
        return
    raise PermissionDenied("Only the provider's officers and USPS managers edit its affiliates.")


@transaction.atomic
def create_affiliate(*, actor, provider, name, relationship, country):
    _check_may_edit_affiliates(hold_actor(actor), provider)  # as they are now
    name = as_name(name)
    affiliate = Affiliate(provider=provider, name=name, relationship=relationship,
                          country=str(country).upper())
    _checked_save(affiliate)
    record_event(actor=actor, obj=affiliate, action="affiliate.created",
                 changes={"name": [None, name], "relationship": [None, relationship],
                          "country": [None, affiliate.country.code]})
    return affiliate


def affiliate_digest(affiliate):
    """A digest of what the register holds of `affiliate`, for a page to say which state
    of it the page was filled from."""
    return sha256_of(canonical_json({"name": affiliate.name,
                                     "relationship": affiliate.relationship,
                                     "country": str(affiliate.country)}))[:32]


@transaction.atomic
def update_affiliate(*, actor, affiliate, based_on=None, **values):
    """Change an affiliate. `based_on`: the `affiliate_digest` of the affiliate the page
    was filled from (a page posting every field); refused (Conflict) once it has been
    changed since and this would change it again, as it would undo that change unseen."""
    _check_may_edit_affiliates(actor, affiliate.provider)
    affiliate = Affiliate.objects.select_for_update(no_key=True).get(pk=affiliate.pk)
    _check_may_edit_affiliates(hold_actor(actor), affiliate.provider)  # as they are now
    if "country" in values:
        values["country"] = str(values["country"]).upper()
    values.pop("provider", None)  # an affiliate never moves to another provider
    values = _named(values)
    changes = diff_fields(affiliate, values)
    if changes and based_on is not None and based_on != affiliate_digest(affiliate):
        raise Conflict(f"{affiliate.name} was changed since this page was opened: it now "
                       f"reads {affiliate.name}, {affiliate.get_relationship_display()}, "
                       f"{affiliate.country.name}. Save again to replace that with what "
                       "you typed.")
    if changes:
        _apply(affiliate, values)
        record_event(actor=actor, obj=affiliate, action="affiliate.updated", changes=changes)
    return affiliate


@transaction.atomic
def create_pes_model(*, actor, provider, name, kind, approval_status, approved_by="USPS"):
    _require_manager_now(actor)
    name = as_name(name)
    model = PESModel(provider=provider, name=name, kind=kind, approval_status=approval_status,
                     approved_by=approved_by)
    _checked_save(model)
    record_event(actor=actor, obj=model, action="pes_model.created",
                 changes={"name": [None, name], "kind": [None, kind],
                          "approval_status": [None, approval_status],
                          "approved_by": [None, approved_by]})
    return model


@transaction.atomic
def update_pes_model(*, actor, pes_model, **values):
    _require_manager(actor)
    pes_model = PESModel.objects.select_for_update(no_key=True).get(pk=pes_model.pk)
    _require_manager_now(actor)
    values.pop("provider", None)
    values = _named(values)
    changes = diff_fields(pes_model, values)
    if changes:
        _apply(pes_model, values)
        record_event(actor=actor, obj=pes_model, action="pes_model.updated", changes=changes)
    return pes_model

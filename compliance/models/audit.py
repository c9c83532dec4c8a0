import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from compliance.audit_chain import CHAIN_FIELDS

SUBJECT_NAMES = {"pes_model": "PES model", "api_token": "API token",
                 "usps_target": "USPS target", "email_preference": "E-mail preferences",
                 "deadline_policy": "Deadline policy"}


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """USPS staff see every event but those of the drafting stage (a draft is the
        provider's alone); provider staff see their provider's, never USPS-only ones."""
        if not user.is_authenticated:
            return self.none()
        if user.is_usps:
            return self.filter(drafting_stage=False)
        return self.filter(provider_id=user.provider_id, usps_only=False)

    def for_case(self, case_id):
        return self.filter(case_id=case_id)

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
        )


class AuditEvent(models.Model):
    """Who did what to which object, when and why; written in the same transaction as the change."""

    at = models.DateTimeField(db_index=True)
    # Events are never changed or removed, so what they point at cannot be deleted either.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "compliance.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Indexed as the first column of the (content type, object, time) index below.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=300)
    # The case (incident id) the event belongs to, whatever the object: the incident, one of
    # its obligations, reports, attachments or comments. A case's timeline is one query.
    case_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=64)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    usps_only = models.BooleanField(
        default=False, help_text="Internal to USPS: never shown to provider staff."
    )
    # Set when the event is written, from its object (`audit_drafting_stage`), and never
    # changed afterwards: what happened to a draft stays the provider's even once filed.
    drafting_stage = models.BooleanField(
        default=False,
        help_text="Written while its object was a draft: the provider's alone, never shown "
                  "to USPS.",
    )

    # The chain: position in order of insertion (= order of commit), the hash of the event
    # before and the hash of this one's canonical content (compliance/audit_chain.py).
    sequence = models.PositiveBigIntegerField(unique=True)
    previous_sha256 = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        triggers = [
            pgtrigger.Protect(name="audit_event_append_only",
                              operation=pgtrigger.Update | pgtrigger.Delete),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"]),
            models.Index(fields=["case_id", "at"], name="audit_case_timeline",
                         condition=models.Q(case_id__isnull=False)),
            # The re-triages since an instant (few): the risk a case had then.
            models.Index(fields=["at"], name="audit_retriaged_at",
                         condition=models.Q(action="incident.retriaged")),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def chain_values(self):
        """This event's values as the chain hashes them."""
        values = {name: getattr(self, name) for name in CHAIN_FIELDS if name != "content_type"}
        ctype = ContentType.objects.get_for_id(self.content_type_id)
        values["content_type"] = f"{ctype.app_label}.{ctype.model}"
        return values

    @property
    def action_label(self):
        """`report.draft_created` reads "Report draft created"."""
        subject, _, verb = self.action.partition(".")
        subject = SUBJECT_NAMES.get(subject, subject.replace("_", " ").capitalize())
        return f"{subject} {verb.replace('_', ' ')}".strip()

    @property
    def actor_label(self):
        return str(self.actor) if self.actor else "the system"

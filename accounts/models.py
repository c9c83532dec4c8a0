import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from compliance.models import Role
from compliance.models.hashed import HashedSecret


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """USPS managers see every invitation; provider officers their provider's; others none."""
        if not user.is_authenticated:
            return self.none()
        if user.is_usps_manager:
            return self
        if user.is_provider_officer:
            return self.filter(provider_id=user.provider_id)
        return self.none()

    def pending(self, now=None):
        """Neither accepted nor revoked, and not yet expired."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True,
                           expires_at__gt=now or timezone.now())


class Invitation(HashedSecret, models.Model):
    """A single-use link, sent by e-mail, by which one person makes their own account.

    Only the SHA-256 of the link's secret is stored; the link is `<id>-<secret>`.
    """

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    provider = models.ForeignKey("compliance.Provider", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="invitations")
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="invitation")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                name="invitation_provider_matches_role",
                condition=(
                    Q(role__in=[Role.PROVIDER_OFFICER, Role.PROVIDER_VIEWER],
                      provider__isnull=False)
                    | Q(role__in=[Role.USPS_REVIEWER, Role.USPS_MANAGER], provider__isnull=True)
                ),
            ),
        ]

    def __str__(self):
        return f"Invitation of {self.email} as {self.get_role_display()}"


    def matches(self, secret: str) -> bool:
        return secrets.compare_digest(self.secret_hash, self.hash_secret(secret))

    @property
    def state(self):
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

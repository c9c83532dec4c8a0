import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from ..timezones import known_timezones


class Role(models.TextChoices):
    PROVIDER_OFFICER = "provider_officer", "Provider compliance officer"
    PROVIDER_VIEWER = "provider_viewer", "Provider viewer"
    USPS_REVIEWER = "usps_reviewer", "USPS reviewer"
    USPS_MANAGER = "usps_manager", "USPS manager"


# The role as it reads in a sentence: "you are a USPS reviewer".
ROLE_PHRASES = {
    Role.PROVIDER_OFFICER: "a provider compliance officer",
    Role.PROVIDER_VIEWER: "a provider viewer",
    Role.USPS_REVIEWER: "a USPS reviewer",
    Role.USPS_MANAGER: "a USPS manager",
}
PROVIDER_ROLES = (Role.PROVIDER_OFFICER, Role.PROVIDER_VIEWER)
USPS_ROLES = (Role.USPS_REVIEWER, Role.USPS_MANAGER)


def validate_timezone(value):
    if value not in known_timezones():
        raise ValidationError(f"“{value}” is not a known IANA time zone.")


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whom `user` may see among people: USPS managers everyone, provider officers the
        staff of their own provider, anyone else only themselves."""
        if not user.is_authenticated:
            return self.none()
        if user.is_usps_manager:
            return self
        if user.is_provider_officer:
            return self.filter(provider_id=user.provider_id)
        return self.filter(pk=user.pk)

    def reviewers(self):
        """Active USPS reviewers."""
        return self.filter(role=Role.USPS_REVIEWER, is_active=True).order_by("pk")

    def managers(self):
        """Active USPS managers."""
        return self.filter(role=Role.USPS_MANAGER, is_active=True).order_by("pk")

    def officers_of(self, provider_id):
        """Active compliance officers of one provider."""
        return self.filter(provider_id=provider_id, role=Role.PROVIDER_OFFICER,
                           is_active=True).order_by("pk")

    def reviewers_for(self, assigned):
        """Who reads a case's news at USPS: its assigned reviewer, else every reviewer (also
        when the one assigned has since left USPS, for a provider's staff say)."""
        if assigned is not None and assigned.is_active and assigned.is_usps:
            return [assigned]
        return list(self.reviewers())


class PESUserManager(UserManager.from_queryset(UserQuerySet)):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser is a USPS manager; it can belong to no provider.
        extra_fields.setdefault("role", Role.USPS_MANAGER)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: provider staff of exactly one provider, or USPS staff of none."""

    role = models.CharField(max_length=20, choices=Role.choices)
    provider = models.ForeignKey(
        "compliance.Provider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    timezone = models.CharField(
        max_length=64,
        default="America/New_York",
        validators=[validate_timezone],
        help_text="Times are shown to you in this zone.",
    )

    objects = PESUserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                name="user_provider_matches_role",
                condition=(
                    Q(role__in=[r.value for r in PROVIDER_ROLES], provider__isnull=False)
                    | Q(role__in=[r.value for r in USPS_ROLES], provider__isnull=True)
                ),
                violation_error_message=(
                    "Provider staff belong to exactly one provider; USPS staff to none."
                ),
            ),
            # Sign-in reads usernames in any case: a twin in another case would lock both
            # out, however close together two accounts are made.
            models.UniqueConstraint(
                Lower("username"), name="user_username_any_case",
                violation_error_message="A user with that username already exists."),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_usps(self):
        return self.role in USPS_ROLES

    @property
    def role_phrase(self):
        """The role with its article, as it reads in a sentence: "a USPS reviewer"."""
        return ROLE_PHRASES.get(self.role, "a user")

    @property
    def is_usps_manager(self):
        return self.role == Role.USPS_MANAGER

    @property
    def is_provider_staff(self):
        return self.role in PROVIDER_ROLES

    @property
    def is_provider_officer(self):
        return self.role == Role.PROVIDER_OFFICER


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the key is shown once, at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8, help_text="The first characters, to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.prefix}… ({self.name or 'unnamed'})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return secrets.token_hex(20)

"""Who gets which obligation e-mail. One query per audience, however many obligations."""

from collections import defaultdict
from typing import NamedTuple

from django.db.models import Q

from compliance.deadlines import (
    ESCALATION,
    ESCALATION_WITH_MANAGERS,
    PROVIDER,
    USPS_ESCALATION,
    USPS_REMINDER,
)
from compliance.models import ObligationKind, Role, User
from compliance.models.users import PROVIDER_ROLES, USPS_ROLES

# Kinds whose provider reminders cannot be muted.
UNMUTABLE_KINDS = {ObligationKind.NOTIFICATION}


def wants(user, kind, audience, preference):
    """Whether `user` takes an e-mail of this kind and audience, given their preference."""
    if preference is None:
        return True
    if user.role == Role.USPS_REVIEWER and preference.daily_digest:
        return False  # the digest covers it (a reviewer's only: one promoted keeps the flag)
    if user.is_provider_staff and (audience != PROVIDER or kind in UNMUTABLE_KINDS):
        return True
    return kind not in (preference.muted_kinds or [])


# The audiences whose USPS reviewers are the case's assigned reviewer (else every reviewer):
# a USPS target's reminder, a provider duty's escalation.
TO_ASSIGNED = (ESCALATION, ESCALATION_WITH_MANAGERS, USPS_REMINDER)


def assigned_reviewer_id(obligation):
    """The reviewer a step of `obligation` goes to, as `RecipientBook` reads them: the one
    assigned while still an active reviewer with an address (one made a manager, or gone
    to a provider, reviews no more); else None (every reviewer)."""
    if obligation.reviewer_id is None:
        return None
    return User.objects.filter(pk=obligation.reviewer_id, is_active=True,
                               role=Role.USPS_REVIEWER).exclude(email="").values_list(
        "pk", flat=True).first()


def still_theirs(user, obligation, audience):
    """Whether a step of `obligation` for `audience` written for USPS user `user` still goes
    to them: one for the assigned reviewer (else every reviewer) goes to a reviewer, and
    to them only if no other reviewer who may still review is assigned; the managers'
    part (an escalation with managers, a proceeding's decision) to a manager."""
    if audience not in TO_ASSIGNED:
        return True
    if obligation.kind == ObligationKind.USPS_PROCEEDING_DECISION:
        return user.role == Role.USPS_MANAGER  # which only managers decide
    if user.role == Role.USPS_MANAGER and audience == ESCALATION_WITH_MANAGERS:
        return True
    if user.role != Role.USPS_REVIEWER:
        return False
    return assigned_reviewer_id(obligation) in (None, user.pk)


def addressed(user, obligation, audience):
    """Whether `user` is someone a step of `obligation` for `audience` goes to, as far as who
    they are goes (their preference aside): a USPS target's to USPS staff; a provider
    duty's to its provider's staff (escalations to its officers alone), or, escalated, to
    USPS once the case is filed. The sweep chooses among these; at sending, an e-mail to
    someone no longer among them (moved to another provider or side, an officer made a
    viewer) is not sent."""
    if obligation.is_usps_target:
        return user.is_usps
    if user.is_usps:
        return obligation.usps_visible and audience != PROVIDER
    return user.provider_id == obligation.provider_id and (
        audience == PROVIDER or user.role == Role.PROVIDER_OFFICER)


class Recipient(NamedTuple):
    """What choosing a user as a recipient and addressing them reads, as `wants` reads a
    user."""

    pk: int
    email: str
    role: str
    provider_id: int | None

    @property
    def is_usps(self):
        return self.role in USPS_ROLES

    @property
    def is_provider_staff(self):
        return self.role in PROVIDER_ROLES


class Preference(NamedTuple):
    """What `wants` reads of a user's e-mail preference."""

    muted_kinds: list
    daily_digest: bool


class RecipientBook:
    """Active users with an address, grouped for the sweep, loaded once per pass as plain
    rows (a pass reads a few hundred users; model instances cost more than the query)."""

    def __init__(self, provider_ids):
        rows = (
            User.objects.filter(is_active=True)
            .exclude(email="")
            .filter(Q(provider_id__in=provider_ids) | Q(provider__isnull=True))
            .values_list("id", "email", "role", "provider_id", "email_preference__id",
                         "email_preference__muted_kinds", "email_preference__daily_digest")
        )
        self.users, self.preferences = {}, {}
        for pk, email, role, provider_id, preference, muted_kinds, daily_digest in rows:
            self.users[pk] = Recipient(pk, email, role, provider_id)
            if preference is not None:
                self.preferences[pk] = Preference(muted_kinds, daily_digest)
        self.staff_by_provider = defaultdict(list)
        self.reviewers, self.managers = [], []
        for user in self.users.values():
            if user.provider_id:
                self.staff_by_provider[user.provider_id].append(user)
            elif user.role == Role.USPS_REVIEWER:
                self.reviewers.append(user)
            elif user.role == Role.USPS_MANAGER:
                self.managers.append(user)

    def for_step(self, obligation, audience):
        if obligation.is_usps_target:
            return self._for_usps_target(obligation, audience)
        staff = self.staff_by_provider.get(obligation.provider_id, [])
        if audience == PROVIDER:
            people = list(staff)
        else:
            people = [u for u in staff if u.role == Role.PROVIDER_OFFICER]
            if obligation.usps_visible:  # drafts are the provider's alone
                people += self._assigned_else_reviewers(obligation)
                if audience == ESCALATION_WITH_MANAGERS:
                    people += self.managers
        return self._choose(obligation, audience, people)

    def _assigned_else_reviewers(self, obligation):
        """The reviewer assigned, while still a reviewer (one who has since joined a provider
        reads nothing of it, one made a manager reviews no more); else every reviewer."""
        reviewer = self.users.get(obligation.reviewer_id)
        return ([reviewer] if reviewer is not None and reviewer.role == Role.USPS_REVIEWER
                else self.reviewers)

    def _for_usps_target(self, obligation, audience):
        """USPS's own work: the reminder to whoever does it — the assigned reviewer (else
        every reviewer), the USPS managers for a proceeding's decision, which only they
        take — and the escalation to the USPS managers. Never anyone of a provider."""
        if audience == USPS_REMINDER and obligation.kind == ObligationKind.USPS_PROCEEDING_DECISION:
            people = self.managers
        elif audience == USPS_REMINDER:
            people = self._assigned_else_reviewers(obligation)
        elif audience == USPS_ESCALATION:
            people = self.managers
        else:
            people = []
        return self._choose(obligation, audience, people)

    def _choose(self, obligation, audience, people):
        chosen = {}
        for user in people:
            if addressed(user, obligation, audience) and wants(
                    user, obligation.kind, audience, self.preferences.get(user.pk)):
                chosen[user.pk] = user
        return list(chosen.values())


__all__ = ["ESCALATION", "ESCALATION_WITH_MANAGERS", "PROVIDER", "USPS_ESCALATION",
           "USPS_REMINDER", "RecipientBook", "addressed", "wants"]

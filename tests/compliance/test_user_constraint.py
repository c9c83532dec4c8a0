"""Provider staff belong to exactly one provider, USPS staff to none: the database says so."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from compliance.models import Role, User


@pytest.mark.parametrize("role", [Role.PROVIDER_OFFICER, Role.PROVIDER_VIEWER])
def test_it_refuses_provider_staff_without_a_provider(role, db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nobody", role=role, provider=None)


@pytest.mark.parametrize("role", [Role.USPS_REVIEWER, Role.USPS_MANAGER])
def test_it_refuses_usps_staff_with_a_provider(role, provider_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="insider", role=role, provider=provider_a)


def test_it_refuses_a_user_without_a_role(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="roleless", role="", provider=None)


def test_it_accepts_the_right_pairs(provider_a):
    User.objects.create(username="officer", role=Role.PROVIDER_OFFICER, provider=provider_a)
    User.objects.create(username="usps", role=Role.USPS_REVIEWER, provider=None)

    assert User.objects.count() == 2


def test_it_explains_the_rule_when_validating(provider_a):
    user = User(username="x", role=Role.USPS_MANAGER, provider=provider_a, password="!")

    with pytest.raises(ValidationError) as caught:
        user.full_clean()

    assert "Provider staff belong to exactly one provider" in str(caught.value)


def test_it_makes_a_superuser_a_usps_manager(db):
    user = User.objects.create_superuser("root", "root@example.com", "a-long-passphrase-1")

    assert user.role == Role.USPS_MANAGER
    assert user.provider is None


def test_the_database_holds_one_username_in_any_case(provider_a):
    User.objects.create(username="officer_x", role=Role.PROVIDER_OFFICER, provider=provider_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="OFFICER_X", role=Role.PROVIDER_OFFICER,
                            provider=provider_a)

    assert User.objects.filter(username__iexact="officer_x").count() == 1


def test_a_twin_made_meanwhile_is_refused_as_a_taken_username(monkeypatch, provider_a):
    from compliance.services import users

    User.objects.create(username="officer_x", role=Role.PROVIDER_OFFICER, provider=provider_a)
    looks = []
    look = users._refuse_taken

    def too_early(username):  # the first look comes before the twin is made
        looks.append(username)
        if len(looks) > 1:
            look(username)

    monkeypatch.setattr(users, "_refuse_taken", too_early)
    monkeypatch.setattr(User, "validate_constraints", lambda self, exclude=None: None)

    with pytest.raises(ValidationError) as refused:
        users.create_user(username="OFFICER_X", role=Role.PROVIDER_OFFICER,
                          provider=provider_a, password="a long pass phrase 4 tests")

    assert refused.value.message_dict == {
        "username": ["A user with that username already exists."]}
    assert looks == ["OFFICER_X", "OFFICER_X"]
    assert User.objects.filter(username__iexact="officer_x").count() == 1

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from compliance.models import ApiToken, User

from .audit import record_event


def _refuse_taken(username):
    # Sign-in reads usernames in any case: a twin in another case would lock both out.
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ["A user with that username already exists."]})


@transaction.atomic
def create_user(*, actor=None, username, role, password, provider=None, email="",
                timezone_name="America/New_York", first_name="", last_name=""):
    """Make a user. Provider roles need a provider; USPS roles must have none."""
    user = User(username=username, role=role, provider=provider, email=email,
                timezone=timezone_name, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    _refuse_taken(username)
    user.full_clean()  # runs the role/provider constraint with a readable message
    validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Made meanwhile by another request: the database holds one name in any case.
        _refuse_taken(username)
        raise
    record_event(actor=actor, obj=user, action="user.created",
                 changes={"role": [None, role],
                          # By name as well as id, as a role change records it: the
                          # history reads the provider, not a number.
                          "provider": [None, {"id": provider.pk, "name": provider.name}
                                       if provider else None]})
    return user


@transaction.atomic
def update_profile(*, actor, timezone_name):
    """Change the zone `actor` reads times in; a closed account's request is refused."""
    hold_actor(actor)  # as they are now: a request read before the account was closed
    actor.timezone = timezone_name
    actor.full_clean(validate_constraints=False, exclude=["password"])
    actor.save(update_fields=["timezone"])
    return actor


def held_as_read(user):
    """`user`'s row read again and locked, a deactivation or a move in progress waited for.
    A move to another role or provider committed since the request read `user` is refused
    (PermissionDenied): a page of the side they left, whose tokens and calendar feed the
    move revoked. Returns the fresh row; its `is_active` is the caller's to judge."""
    fresh = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    if (fresh.role, fresh.provider_id) != (user.role, user.provider_id):
        raise PermissionDenied("Your role has changed since this page was opened: open it "
                               "again.")
    return fresh


@transaction.atomic
def create_api_token(*, user, name=""):
    """Make a token; returns (token, key). The key is not stored and cannot be shown again.
    The user is read again, locked: a deactivation or a move committed meanwhile (each
    revokes their tokens) is seen, and one in progress is waited for."""
    fresh = held_as_read(user)
    if not fresh.is_active:
        raise ValidationError("An inactive user cannot have API tokens.")
    user = fresh
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=key[:8], key_hash=ApiToken.hash_key(key)
    )
    record_event(actor=user, obj=user, action="api_token.created",
                 changes={"token": [None, token.prefix]})
    return token, key


@transaction.atomic
def revoke_api_token(*, user, token):
    token = ApiToken.objects.select_for_update(no_key=True).get(pk=token.pk, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(actor=user, obj=user, action="api_token.revoked",
                     changes={"token": [token.prefix, None]})
    return token


# The author's row read with a share lock (PostgreSQL): it waits for a deactivation or a
# role change in progress (the people services lock the row for update) and holds them
# off until the write commits, while two writes of the same person (two tabs, tooling)
# never wait for each other, whatever else each has locked first.
_HELD_AUTHOR = "SELECT {is_active}, {role}, {provider} FROM {table} WHERE {pk} = %s{lock}"


def hold_actor(actor):
    """Read `actor` again, held, inside the caller's transaction (after what it locks
    first): a request read its user when it began, and a deactivation or a role change
    committed since is seen here. A closed account is refused (PermissionDenied); the
    actor's role and provider are then as they are now, for the checks that follow."""
    from django.db import connection

    meta, quote = User._meta, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(_HELD_AUTHOR.format(
            is_active=quote(meta.get_field("is_active").column),
            role=quote(meta.get_field("role").column),
            provider=quote(meta.get_field("provider").column), table=quote(meta.db_table),
            pk=quote(meta.pk.column),
            lock=" FOR SHARE" if connection.vendor == "postgresql" else ""), [actor.pk])
        row = cursor.fetchone()
    if row is None or not row[0]:
        raise PermissionDenied("This account has been closed.")
    actor.role, actor.provider_id = row[1], row[2]
    return actor

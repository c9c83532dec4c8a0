"""The shared cache on Redis (`REDIS_URL`): API rate limits, sign-in rate limits and the
second-factor codes already used, shared by every web process.

Nothing in it is a record: while Redis is away, the cache answers as an empty one
(a read finds nothing, a write keeps nothing) instead of failing the request, so filings,
sign-ins and pages go on, unthrottled, and the outage is logged. Short socket timeouts
(`settings.CACHES`) keep a Redis that hangs from holding requests up."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def _tolerant(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as exc:
            log.warning("the shared cache is unavailable (%s: %s); %s answered as by an "
                        "empty cache", exc.__class__.__name__, exc, name)
            return fallback(*args, **kwargs)

    call.__name__ = name
    call.__doc__ = method.__doc__
    return call


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


class SharedCache(RedisCache):
    get = _tolerant("get", _default)
    set = _tolerant("set", _nothing)
    # Added: the key was not there (a code not yet used, a first attempt).
    add = _tolerant("add", lambda *args, **kwargs: True)
    touch = _tolerant("touch", lambda *args, **kwargs: False)
    delete = _tolerant("delete", lambda *args, **kwargs: False)
    get_many = _tolerant("get_many", lambda *args, **kwargs: {})
    has_key = _tolerant("has_key", lambda *args, **kwargs: False)
    incr = _tolerant("incr", lambda key, delta=1, *args, **kwargs: delta)
    set_many = _tolerant("set_many", lambda *args, **kwargs: [])
    delete_many = _tolerant("delete_many", _nothing)
    clear = _tolerant("clear", lambda *args, **kwargs: False)

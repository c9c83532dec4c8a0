"""Races forced in tests: callables run in threads, each on its own database connection,
held at chosen calls until the others reach theirs. PostgreSQL only (its row locks)."""

import threading
import time
from contextlib import ExitStack, contextmanager
from unittest import mock

import pytest
from django.db import connection, connections, transaction

from tests.conftest import require_service


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        require_service("needs PostgreSQL")


def run_together(*calls, timeout=30):
    """Run each callable in its own thread; returns [(result, exception)] in order."""
    out = [(None, TimeoutError("still running"))] * len(calls)

    def run(i, call):
        try:
            out[i] = (call(), None)
        except BaseException as exc:  # noqa: BLE001
            out[i] = (None, exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return out


@contextmanager
def rendezvous(*targets, parties=2, timeout=3):
    """Patch each of `targets` (dotted paths) so that a thread calling one waits until
    `parties` threads have reached one of them (or `timeout` passed: a thread held up
    elsewhere, e.g. waiting for a lock, never comes), then calls the original. Each
    target meets once; later calls go straight through."""
    barrier = threading.Barrier(parties)

    def waiting(original):
        def call(*args, **kwargs):
            try:
                barrier.wait(timeout=timeout)
            except threading.BrokenBarrierError:
                pass
            barrier.abort()
            return original(*args, **kwargs)
        return call

    with ExitStack() as stack:
        for target in targets:
            original = mock.patch(target).get_original()[0]
            stack.enter_context(mock.patch(target, side_effect=waiting(original)))
        yield


@contextmanager
def meet_at(*targets, timeout=5):
    """Patch each (dotted path, n) so that its n-th call (from 1) waits until every target
    has reached its own (or `timeout` passed), then calls the original: two transactions
    held at chosen points, such as after one's first audit event and before the other's."""
    barrier = threading.Barrier(len(targets))
    counts, lock = {}, threading.Lock()

    def waiting(path, nth, original):
        def call(*args, **kwargs):
            with lock:
                counts[path] = counts.get(path, 0) + 1
                reached = counts[path] == nth
            if reached:
                try:
                    barrier.wait(timeout=timeout)
                except threading.BrokenBarrierError:
                    pass
            return original(*args, **kwargs)
        return call

    with ExitStack() as stack:
        for path, nth in targets:
            original = mock.patch(path).get_original()[0]
            stack.enter_context(mock.patch(path, side_effect=waiting(path, nth, original)))
        yield


class HeldRow:
    """Rows another transaction locks until released: run `hold` in one thread of
    `run_together`; another runs `meanwhile(call)`, which waits until they are held, times
    `call` and releases them, returning (what `call` returned, its seconds)."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.held, self.released = threading.Event(), threading.Event()

    def hold(self):
        with transaction.atomic():
            list(self.queryset.select_for_update())
            self.held.set()
            self.released.wait(10)

    def meanwhile(self, call):
        self.held.wait(10)
        started = time.monotonic()
        try:
            return call(), time.monotonic() - started
        finally:
            self.released.set()

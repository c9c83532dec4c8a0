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

"""Meeting ownership: the lease a worker holds on a meeting in the ``ASR_LEASES`` KV bucket.

One key per meeting (``<tenant>.<meeting_id>`` → owning worker), with the bucket's TTL
(``ASR_LEASE_TTL_S``). The owner refreshes it every quarter TTL (compare-and-set on its last
revision) and, through ``on_refresh``, tells JetStream the meeting's ``started`` message is still
being worked on. A worker that dies stops refreshing; the key expires and another worker takes
the meeting.

One writer per meeting: a worker writes and acks only within ``LEASE_SAFETY`` of the TTL after
its last *confirmed* refresh (:meth:`MeetingLease.hold`). The key cannot expire before then, so a
successor never writes alongside a worker that stalled or lost NATS; that worker waits, then finds
the key taken and stops (:class:`LeaseLost`). Its release is a compare-and-delete, so it cannot
delete the successor's lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import nats.errors
import nats.js.errors
from nats.js.errors import KeyWrongLastSequenceError, NotFoundError

log = logging.getLogger(__name__)

LEASE_SAFETY = 0.7
"""A worker writes and acks a meeting's audio only within this share of the lease TTL after its
last confirmed refresh: the key cannot expire (so no other worker can take the meeting) before
then, so two workers never write the same meeting, even when one stalls or is cut off."""
NATS_ERRORS = (nats.errors.Error, OSError, asyncio.TimeoutError)
_GONE = (NotFoundError, nats.js.errors.KeyNotFoundError)


class LeaseLost(RuntimeError):
    """Another worker owns the meeting now; stop without acking anything more."""


class MeetingLease:
    """The lease of one meeting, held by ``owner`` (a worker ID) in the KV bucket ``kv``."""

    def __init__(
        self,
        kv: Any,
        key: str,
        owner: str,
        ttl_s: float,
        *,
        on_refresh: Callable[[], Awaitable[Any]] | None = None,
    ):
        self.kv = kv
        self.key = key
        self.owner = owner
        self.ttl_s = ttl_s
        self.on_refresh = on_refresh
        self.revision: int | None = None
        self.valid_until = 0.0
        """Monotonic time until which writes are safe (see :data:`LEASE_SAFETY`)."""
        self.lost = False

    def _confirmed(self, sent_at: float) -> None:
        """A lease write sent at ``sent_at`` succeeded: the key lives at least a TTL from then."""
        self.valid_until = sent_at + self.ttl_s * LEASE_SAFETY

    async def acquire(self) -> bool:
        """Take the lease; ``False`` when another worker holds it."""
        value = self.owner.encode()
        sent_at = time.monotonic()
        try:
            self.revision = await self.kv.create(self.key, value)
            self._confirmed(sent_at)
            return True
        except KeyWrongLastSequenceError:
            with contextlib.suppress(Exception):
                entry = await self.kv.get(self.key)
                if entry.value and entry.value.decode() == self.owner:
                    # Ours from an earlier run under the same --id: refresh it before use.
                    sent_at = time.monotonic()
                    self.revision = await self.kv.update(self.key, value, last=entry.revision)
                    self._confirmed(sent_at)
                    return True
        return False

    def check(self) -> None:
        """Raise :class:`LeaseLost` once another worker took the lease."""
        if self.lost:
            raise LeaseLost(self.key)

    async def hold(self) -> None:
        """Return once the lease is known to be ours for a while; raise :class:`LeaseLost` if
        another worker took it. Called before anything a successor would also write (audio,
        acks, segments, the final transcript): while the lease is unconfirmed (NATS cut off,
        a stalled loop), this waits for the heartbeat instead."""
        while True:
            self.check()
            if time.monotonic() < self.valid_until:
                return
            await asyncio.sleep(0.05)

    async def heartbeat(self) -> None:
        """Refresh the lease every quarter TTL (and call ``on_refresh``) until cancelled or lost."""
        value = self.owner.encode()
        period = self.ttl_s / 4
        delay = period
        while True:
            await asyncio.sleep(delay)
            delay = period
            sent_at = time.monotonic()
            try:
                self.revision = await self.kv.update(self.key, value, last=self.revision)
                self._confirmed(sent_at)
                if self.on_refresh is not None:
                    await self.on_refresh()
            except KeyWrongLastSequenceError:
                try:
                    entry = await self.kv.get(self.key)
                    holder = entry.value.decode() if entry.value else ""
                    self.revision = entry.revision
                except _GONE:
                    holder = ""
                if holder and holder != self.owner:
                    self.lost = True
                    return
                delay = 0.0  # ours (or expired, then re-created below): confirm it at once
                if not holder:
                    await self._recreate()
            except _GONE:
                await self._recreate()
            except NATS_ERRORS as exc:
                log.debug("heartbeat failed (will retry): %s", exc)
                delay = min(period, 0.5)

    async def _recreate(self) -> None:
        """The key expired while nobody else took it: take it again (a CAS create, so a worker
        that took it meanwhile wins and this one finds out at the next beat)."""
        sent_at = time.monotonic()
        with contextlib.suppress(Exception):
            self.revision = await self.kv.create(self.key, self.owner.encode())
            self._confirmed(sent_at)

    async def release(self) -> None:
        """Delete the lease if it is still ours (compare-and-delete on our last revision)."""
        if self.lost or self.revision is None:
            return
        with contextlib.suppress(Exception):
            await self.kv.delete(self.key, last=self.revision)


async def count_leases(kv: Any, tenant: str) -> int | None:
    """Meetings of ``tenant`` that workers hold right now (their keys live only while refreshed,
    so a dead worker's meetings stop counting after one TTL); ``None`` when NATS did not answer
    (the caller then lets the meeting start: a cap must not fail meetings)."""
    try:
        watcher = await kv.watch(f"{tenant}.*", ignore_deletes=True, meta_only=True)
    except NATS_ERRORS as exc:
        log.warning("could not count the live meetings of tenant %r: %s", tenant, exc)
        return None
    try:
        count = 0
        async for entry in watcher:
            if entry is None:  # the end of what is stored now
                break
            count += 1
        return count
    except NATS_ERRORS as exc:
        log.warning("could not count the live meetings of tenant %r: %s", tenant, exc)
        return None
    finally:
        with contextlib.suppress(*NATS_ERRORS):
            await watcher.stop()

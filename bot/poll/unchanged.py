"""Coalesced 304 bookkeeping: many unchanged feeds become one store write instead of one each;
and the body hash that lets a 200 with the body last stored count as unchanged too."""

from __future__ import annotations

import asyncio
import hashlib
import logging

from bot.ports import PollStore, Unchanged

log = logging.getLogger(__name__)


def body_hash(body: bytes, url: str, content_type: str | None) -> str:
    """What a parse reads: the bytes, the URL they came from and their content type (its
    charset decodes them), hashed; equal hashes parse to equal items."""
    digest = hashlib.blake2b(body, digest_size=16)
    digest.update(b"\0" + url.encode("utf-8", "surrogatepass"))
    digest.update(b"\0" + (content_type or "").encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class UnchangedBatch:
    """Buffers 304s; writes them in the background once `size` gather or the oldest is
    `max_age` seconds old (well inside the lease), and on `flush()`."""

    def __init__(self, store: PollStore, owner: str, size: int = 256, max_age: float = 1.0) -> None:
        self.store = store
        self.owner = owner
        self.size = size
        self.max_age = max_age
        self._buffer: list[Unchanged] = []
        self._since = 0.0
        self._writes: set[asyncio.Task[None]] = set()

    def add(self, entry: Unchanged) -> None:
        now = asyncio.get_running_loop().time()
        if not self._buffer:
            self._since = now
        self._buffer.append(entry)
        if len(self._buffer) >= self.size or now - self._since >= self.max_age:
            self._write_buffer()

    async def flush(self) -> None:
        """Write what is buffered and wait for every write in flight."""
        self._write_buffer()
        while self._writes:
            await asyncio.gather(*self._writes)

    def _write_buffer(self) -> None:
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        task = asyncio.create_task(self._write(batch))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _write(self, batch: list[Unchanged]) -> None:
        try:
            await self.store.record_unchanged(batch, owner=self.owner)
        except Exception:  # the leases expire and these feeds are simply polled again
            log.exception("recording %d unchanged feeds failed", len(batch))

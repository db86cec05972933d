"""Daemon worker threads for CPU-bound steps (parsing, enrichment) that never delay exit.

`asyncio.to_thread` and ThreadPoolExecutor threads are joined when the process exits, so a
parse still running at SIGTERM held the process for over a minute after "stopped cleanly". A
job here that is still running when the process exits is abandoned; its result was not needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import queue
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[], Any]]


class DaemonWorkers:
    """A fixed number of daemon threads running submitted calls in order of submission."""

    def __init__(self, threads: int, name: str) -> None:
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
            for i in range(threads)
        ]
        self._started = False

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` on a worker thread; cancelling the await abandons the call."""
        if not self._started:
            self._started = True
            for thread in self._threads:
                thread.start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((loop, future, functools.partial(fn, *args, **kwargs)))
        return await future

    def close(self) -> None:
        """Let the threads end once the calls already queued are done (or abandoned)."""
        for _ in self._threads:
            self._queue.put(None)

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            loop, future, call = job
            if future.cancelled():
                continue
            try:
                outcome: tuple[bool, Any] = (True, call())
            except BaseException as exc:  # handed to the awaiting task, not lost
                outcome = (False, exc)
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for it any more
                loop.call_soon_threadsafe(_settle, future, outcome)


def _settle(future: asyncio.Future[Any], outcome: tuple[bool, Any]) -> None:
    if future.done():
        return
    ok, value = outcome
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)

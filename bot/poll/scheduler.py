"""APScheduler jobs that drive a running bot: poll tick, dispatch tick, housekeeping.

Each job coalesces and runs one instance at a time. On SIGINT/SIGTERM the scheduler stops
starting jobs and gives the ones in flight a grace period to finish (a second signal ends it
at once); what is still running then is cancelled: nothing it had not committed is lost, as
the next start polls and sends it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)
# A tick that finds its job still running is skipped by design (max_instances=1): APScheduler
# would log a warning for every such tick of a long poll.
logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
Job = Callable[[], Awaitable[object]]


class Ticker:
    """Runs named periodic jobs and shuts down gracefully on a signal."""

    def __init__(self, grace_seconds: float = 8.0) -> None:
        self.grace_seconds = grace_seconds
        self.scheduler = AsyncIOScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
        )
        self._inflight: set[asyncio.Task[object]] = set()
        self._stopping = asyncio.Event()
        self._hurry = asyncio.Event()

    def every(self, seconds: float, name: str, job: Job, *, run_now: bool = True) -> None:
        def finished(task: asyncio.Task[object]) -> None:
            self._inflight.discard(task)
            if not task.cancelled() and task.exception() is not None:
                log.error(
                    "job %s failed; it runs again at its next tick", name, exc_info=task.exception()
                )

        async def tracked() -> None:
            if self._stopping.is_set():
                return
            task: asyncio.Task[object] = asyncio.ensure_future(job())
            self._inflight.add(task)
            task.add_done_callback(finished)
            # shielded: a shutdown cancels this wrapper (quietly), never the job in flight,
            # which run_until_signalled waits for
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait([asyncio.shield(task)])

        kwargs = {"next_run_time": datetime.now(UTC)} if run_now else {}
        self.scheduler.add_job(tracked, "interval", seconds=seconds, id=name, name=name, **kwargs)

    async def run_until_signalled(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stop)
        self.scheduler.start()
        log.info("scheduler started: %s", ", ".join(j.name for j in self.scheduler.get_jobs()))
        await self._stopping.wait()
        self.scheduler.shutdown(wait=False)
        if self._inflight:
            log.info(
                "finishing %d job(s) in flight (up to %.0fs)",
                len(self._inflight),
                self.grace_seconds,
            )
            # whichever comes first: every job done, a second signal, or the grace period
            finished = asyncio.ensure_future(asyncio.wait(set(self._inflight)))
            hurry = asyncio.ensure_future(self._hurry.wait())
            await asyncio.wait(
                {finished, hurry}, timeout=self.grace_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            finished.cancel()
            hurry.cancel()
            if late := set(self._inflight):
                log.warning(
                    "cancelling %d job(s) still running; the next start redoes what they had "
                    "not committed",
                    len(late),
                )
                for task in late:
                    task.cancel()
                await asyncio.wait(late, timeout=5)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)

    def stop(self) -> None:
        """The first signal asks jobs to finish; a second one cuts the grace period short."""
        if self._stopping.is_set():
            log.info("second stop request: not waiting for jobs in flight")
            self._hurry.set()
            return
        log.info("stop requested")
        self._stopping.set()

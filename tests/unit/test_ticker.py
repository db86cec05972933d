"""The Ticker's shutdown: jobs in flight get their grace period, and no more than they need."""

from __future__ import annotations

import asyncio
import os
import signal

from bot.poll.scheduler import Ticker


async def test_stop_returns_as_soon_as_the_jobs_in_flight_finish() -> None:
    """A job that ends soon after the signal ends the wait; the hour of grace is not spent."""
    ticker = Ticker(grace_seconds=3600)
    started = asyncio.Event()
    release = asyncio.Event()
    finished: list[str] = []

    async def job() -> None:
        started.set()
        await release.wait()
        finished.append("job")

    ticker.every(3600, "slow", job)
    run = asyncio.ensure_future(ticker.run_until_signalled())
    await asyncio.wait_for(started.wait(), timeout=60)
    os.kill(os.getpid(), signal.SIGTERM)
    # once stopped, the same step goes on to wait for the job (no event marks it)
    while ticker.scheduler.running:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    release.set()
    # without the fix this waits out the whole hour of grace; 60 s is far beyond what it needs
    await asyncio.wait_for(run, timeout=60)
    assert finished == ["job"]


async def test_a_second_signal_cuts_the_grace_period_short() -> None:
    """A job that never ends is cancelled at the second signal, not after the grace period."""
    ticker = Ticker(grace_seconds=3600)
    started = asyncio.Event()
    cancelled: list[str] = []

    async def job() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append("job")
            raise

    ticker.every(3600, "stuck", job)
    run = asyncio.ensure_future(ticker.run_until_signalled())
    await asyncio.wait_for(started.wait(), timeout=60)
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(ticker._stopping.wait(), timeout=60)
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(run, timeout=60)
    assert cancelled == ["job"]

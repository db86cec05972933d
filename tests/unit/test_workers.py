"""Work on the daemon workers is abandoned at exit: a stuck parse never holds the process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from bot.poll.workers import DaemonWorkers

CHILD = textwrap.dedent(
    """
    import asyncio, contextlib, threading
    from bot.poll.pipeline import Pipeline

    stuck = threading.Event()

    async def main():
        pipeline = Pipeline(store=None, fetcher=None, catalog=None)
        task = asyncio.create_task(pipeline._parser.run(stuck.wait))  # a parse that never ends
        await asyncio.sleep(0.1)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        pipeline.close()
        print("stopped", flush=True)

    asyncio.run(main())
    """
)


def test_a_process_exits_while_a_parse_is_still_running():
    # The timeout only turns a hang into a failure; the child exits at once when it works.
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "stopped", done.stderr[-2000:]


async def test_results_and_errors_come_back_in_order():
    workers = DaemonWorkers(2, "t")
    assert await workers.run(sum, [1, 2, 3]) == 6
    with pytest.raises(ZeroDivisionError):
        await workers.run(divmod, 1, 0)
    workers.close()

"""When a scheduler tick needs the store: work it knows of is due, or it is time to look again.

An idle bot's ticks would otherwise ask the database on every tick whether anything is due.
After each pass the bot learns when its next work is due (the earliest feed, the earliest
delivery ready); a tick before then asks nothing, except that every `recheck` it looks again
for what other processes (a CLI `feeds add`, another poller) put in the store meanwhile.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def tick_needed(
    now: datetime, due: datetime | None, checked: datetime | None, recheck: timedelta
) -> bool:
    """Whether a tick at `now` should ask the store: never asked yet, the known work is `due`,
    or the last look (`checked`) is `recheck` old. `due` None: nothing was waiting then."""
    if checked is None or now - checked >= recheck:
        return True
    return due is not None and due <= now

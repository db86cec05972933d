"""How long waits on the fakes may take: shared by the Discord and the Slack fake."""

WAIT_SECONDS = 60.0
"""Default bound of every wait on a fake: met in milliseconds when the bot works, reached only
when a test is failing, so generous for a loaded 2-core CI machine."""
RECHECK_SECONDS = 0.1
"""A wait's predicate is looked at again this often even when the fake recorded no change: it
may read the bot's own state (a waiter on the fake's changes alone sat out its whole bound)."""

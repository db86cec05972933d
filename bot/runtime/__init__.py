"""Runtime: the composition root, the long-running process, its ops server, demo and logs."""

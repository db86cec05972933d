"""Chat: the platform-neutral command service and its Discord and Slack adapters."""

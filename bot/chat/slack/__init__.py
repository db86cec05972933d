"""Slack adapter: the /newsbot command, admins, rule editor and Socket Mode."""

"""Operator commands of `newsbot` kept out of cli.py: init, status and the config check."""

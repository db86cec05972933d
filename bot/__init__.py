"""newsbot: news alerts for Discord and Slack."""

__version__ = "0.1.0"

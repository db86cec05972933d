"""Feeds: the guarded HTTP fetcher (adapter) and the feed parser (pure)."""

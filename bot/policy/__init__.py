"""Policy: the decisions the store persists, as pure functions (when a digest is due, …)."""

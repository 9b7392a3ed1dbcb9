"""Application use cases. Each runs in one transaction and returns what changed. No Qt."""

"""Admin workspace."""

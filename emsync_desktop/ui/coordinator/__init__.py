"""Coordinator workspace."""

"""Nurse workspace."""

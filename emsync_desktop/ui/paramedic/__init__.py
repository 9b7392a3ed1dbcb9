"""Paramedic workspace: case list, case form, vitals with trend, NEWS2, SBAR."""

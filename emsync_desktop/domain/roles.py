"""User roles."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PARAMEDIC = "paramedic"
    NURSE = "nurse"
    COORDINATOR = "coordinator"
    ADMIN = "admin"
    BLOOD_BANK = "blood_bank"  # a hospital blood bank's staff (``hospital_id``), issue 24

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# Roles whose accounts must have a second factor (TOTP) to get a server session. Server and device share
# it: the server asks these accounts to enrol at their next sign-in; a device never signs them in offline
# (docs/decisions.md, "Two-step sign-in").
MFA_REQUIRED_ROLES: frozenset[Role] = frozenset({Role.COORDINATOR, Role.ADMIN})


@dataclass(frozen=True)
class UserInfo:
    """The signed-in person. ``hospital_id`` for nurses, ``ambulance_unit`` for paramedics."""

    id: str
    username: str
    display_name: str
    role: Role
    hospital_id: str | None = None
    ambulance_unit: str | None = None
    is_demo: bool = False

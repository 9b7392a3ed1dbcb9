"""User roles."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PARAMEDIC = "paramedic"
    NURSE = "nurse"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()


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

"""Case fixtures shared with the services tests."""

from tests.services.conftest import cases, paramedic

__all__ = ["cases", "paramedic"]

"""Reading the handoff document in tests: its coded sections wherever they are nested."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def nested_sections(sections: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for s in sections:
        yield s
        yield from nested_sections(s.get("section", []))


def coded_sections(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The coded sections (inside the SBAR parts), in document order."""
    return [s for s in nested_sections(bundle["entry"][0]["resource"]["section"]) if "code" in s]


def section(bundle: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in coded_sections(bundle) if s["code"]["coding"][0]["code"] == code)

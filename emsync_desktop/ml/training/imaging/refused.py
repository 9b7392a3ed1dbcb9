"""The one error of the imaging export: nothing usable was written."""

from __future__ import annotations


class ExportRefused(ValueError):
    """Nothing was written; ``str()`` says what does not fit and what to fix, in sentences."""

"""WCAG AA contrast of every colour pair the themes use, by day and by night (4.5:1 for text, 3:1 for
large text and UI parts), and bed statuses that differ by more than hue."""

from __future__ import annotations

import colorsys

import pytest

from emsync_desktop.domain.beds import BedStatus
from emsync_desktop.domain.news2 import News2Band
from emsync_desktop.ui.theme import (
    ATTENTION_KINDS,
    CHART_KEYS,
    DARK,
    LIGHT,
    RADIOGRAPH_BACKGROUND,
    RADIOGRAPH_TEXT,
    Theme,
    attention_colour,
    bed_colour,
    chart_colour,
)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _text_pairs(t: Theme) -> dict[str, tuple[str, str]]:
    pairs = {f"{name} on {ground}": (getattr(t, name), getattr(t, ground))
             for name in ("text", "muted", "error", "warning", "ok") for ground in ("window", "surface", "raised")}
    pairs["button text on accent"] = (t.accent_text, t.accent)
    pairs["selected text on accent"] = (t.accent_text, t.accent)
    for band in News2Band:
        background, foreground = t.band_colour(band)
        pairs[f"NEWS2 {band.value}"] = (foreground, background)
    for status in BedStatus:
        background, foreground = bed_colour(t, status)
        pairs[f"bed {status.value}"] = (foreground, background)
    for kind in ATTENTION_KINDS:
        background, foreground = attention_colour(t, kind)
        pairs[f"attention {kind}"] = (foreground, background)
    pairs["radiograph notes"] = (RADIOGRAPH_TEXT, RADIOGRAPH_BACKGROUND)
    return pairs


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "night"])
def test_every_text_pair_meets_wcag_aa(theme: Theme) -> None:
    low = {name: round(contrast(*pair), 2) for name, pair in _text_pairs(theme).items() if contrast(*pair) < 4.5}
    assert low == {}


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "night"])
def test_ui_parts_stand_out_from_their_ground(theme: Theme) -> None:
    assert contrast(theme.accent, theme.surface) >= 3.0  # a primary button against the page
    assert contrast(theme.border, theme.window) >= 1.3  # separators are faint on purpose, but there


def test_night_has_no_large_bright_areas() -> None:
    for ground in (DARK.window, DARK.surface, DARK.raised, DARK.accent, DARK.plot_background):
        assert _luminance(ground) < 0.18, ground  # even the accent fill is a mid-dark blue at night


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "night"])
def test_cleaning_and_pending_discharge_are_not_two_similar_oranges(theme: Theme) -> None:
    cleaning, pending = bed_colour(theme, BedStatus.CLEANING)[0], bed_colour(theme, BedStatus.PENDING_DISCHARGE)[0]
    hues = [colorsys.rgb_to_hls(*(int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)))[0] * 360 for c in (cleaning, pending)]
    apart = abs(hues[0] - hues[1])
    assert min(apart, 360 - apart) > 90  # far apart on the colour wheel (teal and amber), not two oranges


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "night"])
def test_every_chart_line_stands_out_from_the_plot(theme: Theme) -> None:
    low = {key: round(contrast(chart_colour(theme, key), theme.plot_background), 2) for key in CHART_KEYS
           if contrast(chart_colour(theme, key), theme.plot_background) < 3.0}
    assert low == {}


def test_no_widget_writes_its_own_colour() -> None:
    """Every colour comes from ui/theme.py, so the night theme and these tests cover the whole app."""
    import re
    from pathlib import Path

    ui = Path(__file__).parents[2] / "emsync_desktop" / "ui"
    literal = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b(?![0-9a-fA-F])|rgba?\(")
    found = [f"{path.relative_to(ui)}:{n}" for path in ui.rglob("*.py") if path.name != "theme.py"
             for n, line in enumerate(path.read_text().splitlines(), 1) if literal.search(line.split("  #")[0])]
    assert found == []

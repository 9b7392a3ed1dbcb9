"""Light and dark (night) themes. Touch targets are at least 44 px high."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from emsync_desktop.domain.beds import BedStatus
from emsync_desktop.domain.news2 import News2Band

TOUCH_PX = 44


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    surface: str
    raised: str
    text: str
    muted: str
    border: str
    accent: str
    accent_text: str
    error: str
    warning: str
    ok: str
    plot_background: str

    def band_colour(self, band: News2Band | None) -> tuple[str, str]:
        """(background, text) of a NEWS2 band: green, yellow, orange, red as on the RCP chart."""
        return _BANDS[self.name].get(band, (self.raised, self.text))


LIGHT = Theme("light", "#eef1f5", "#ffffff", "#f6f8fa", "#17202a", "#5b6675", "#c9d1db", "#0b5cad", "#ffffff",
              "#b3261e", "#8a5a00", "#1e7b34", "#ffffff")
# Night: dark surfaces and dimmed text and accents (no large bright areas in a dark cab); every pair used
# still meets WCAG AA (tests/ui/test_theme_contrast.py).
DARK = Theme("dark", "#0b0d10", "#12151a", "#1a1e24", "#c9d1d9", "#8e98a6", "#2c333d", "#2f6fb3", "#eef3f9",
             "#f28b82", "#e3b55d", "#6cc581", "#12151a")
THEMES = {"light": LIGHT, "dark": DARK}
# QR codes stay dark on light in both themes: phone scanners expect it (many cannot read an inverted code),
# and the light quiet zone around the code must show against the dark theme's window too.
QR_DARK = "#000000"
QR_LIGHT = "#ffffff"

_BANDS: dict[str, dict[News2Band | None, tuple[str, str]]] = {
    "light": {
        News2Band.ZERO: ("#dff3e3", "#14532d"),
        News2Band.LOW: ("#fff4c2", "#5c4300"),
        News2Band.LOW_MEDIUM: ("#ffe0b2", "#7a3a00"),
        News2Band.MEDIUM: ("#ffc680", "#6b2f00"),
        News2Band.HIGH: ("#c62828", "#ffffff"),
    },
    "dark": {
        News2Band.ZERO: ("#173d25", "#bff0cc"),
        News2Band.LOW: ("#4a3d07", "#ffe9a0"),
        News2Band.LOW_MEDIUM: ("#5c3510", "#ffd2a1"),
        News2Band.MEDIUM: ("#7a3e0a", "#ffe1c2"),
        News2Band.HIGH: ("#9b1c1c", "#ffffff"),
    },
}


# Bed statuses: (background, text) by day and by night. Hues far apart (teal cleaning against amber pending
# discharge, not two oranges), and every tile also says its status in words, so no one needs the colour.
_BED_COLOURS: dict[str, dict[BedStatus, tuple[str, str]]] = {
    "light": {
        BedStatus.AVAILABLE: ("#1e7b34", "#ffffff"), BedStatus.RESERVED: ("#0b5cad", "#ffffff"),
        BedStatus.OCCUPIED: ("#5b6675", "#ffffff"), BedStatus.CLEANING: ("#00707c", "#ffffff"),
        BedStatus.PENDING_DISCHARGE: ("#8a5a00", "#ffffff"), BedStatus.BLOCKED: ("#2b2f36", "#ffffff"),
        BedStatus.ISOLATION: ("#6a3fa0", "#ffffff"), BedStatus.OUT_OF_SERVICE: ("#b3261e", "#ffffff"),
    },
    "dark": {
        BedStatus.AVAILABLE: ("#1b4d2a", "#cdeed5"), BedStatus.RESERVED: ("#163d66", "#d3e4fb"),
        BedStatus.OCCUPIED: ("#2e3440", "#d8dee9"), BedStatus.CLEANING: ("#0e4950", "#c6eef3"),
        BedStatus.PENDING_DISCHARGE: ("#4d3a0f", "#f7e0ae"), BedStatus.BLOCKED: ("#050608", "#c9ced6"),
        BedStatus.ISOLATION: ("#3d2a5c", "#e4d7fb"), BedStatus.OUT_OF_SERVICE: ("#5c1a16", "#ffd6d2"),
    },
}


# Rows and notices that need attention: (background, text). Dimmed by night like the bed tiles.
_ATTENTION: dict[str, dict[str, tuple[str, str]]] = {
    "light": {"danger": ("#b3261e", "#ffffff"), "pending": ("#1f5fa8", "#ffffff"), "caution": ("#8a5a00", "#ffffff")},
    "dark": {"danger": ("#5c1a16", "#ffd6d2"), "pending": ("#163d66", "#d3e4fb"), "caution": ("#4d3a0f", "#f7e0ae")},
}
ATTENTION_KINDS = ("danger", "pending", "caution")

# Chart lines on the plot background: each at least 3:1 against it (a UI part), softer by night.
_CHART: dict[str, dict[str, str]] = {
    "light": {"hr_bpm": "#d32f2f", "sbp_mmhg": "#1565c0", "rr_per_min": "#2e7d32", "spo2_pct": "#8e24aa",
              "news2_watch": "#e65100", "news2_urgent": "#c62828",
              "ICU": "#c62828", "HDU": "#e65100", "ER": "#1565c0", "WARD": "#2e7d32"},
    "dark": {"hr_bpm": "#e57373", "sbp_mmhg": "#64b5f6", "rr_per_min": "#81c784", "spo2_pct": "#ce93d8",
             "news2_watch": "#ffb74d", "news2_urgent": "#ef5350",
             "ICU": "#ef5350", "HDU": "#ffb74d", "ER": "#64b5f6", "WARD": "#81c784"},
}
CHART_KEYS = tuple(_CHART["light"])


def attention_colour(theme: Theme, kind: str) -> tuple[str, str]:
    """(background, text) of a row or notice that needs attention: ``danger``, ``pending`` or ``caution``."""
    return _ATTENTION[theme.name][kind]


def chart_colour(theme: Theme, key: str) -> str:
    """The line colour of a chart series (a vital's field name, a unit, or a NEWS2 threshold)."""
    return _CHART[theme.name][key]


def bed_colour(theme: Theme, status: BedStatus) -> tuple[str, str]:
    """(background, text) of a bed tile or legend entry of this status."""
    return _BED_COLOURS[theme.name][status]


# A radiograph is read on black in both themes, as on a PACS viewer.
RADIOGRAPH_BACKGROUND = "#000000"
RADIOGRAPH_TEXT = "#cccccc"


def print_stylesheet(t: Theme = LIGHT) -> str:
    """The reports' HTML style (ui/coordinator/report_pdf.py): paper is the day theme's, whatever the desk shows."""
    return (f"body {{ font-family: 'DejaVu Sans', sans-serif; font-size: 9pt; color: {t.text}; }} "
            "h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 14px; } table { border-collapse: collapse; } "
            f"th, td {{ border: 1px solid {t.border}; padding: 3px 6px; }} th {{ background: {t.window}; }} "
            f".muted {{ color: {t.muted}; }}")


def stylesheet(t: Theme) -> str:
    alert_background, alert_text = t.band_colour(News2Band.HIGH)
    return f"""
    QWidget {{ background: {t.window}; color: {t.text}; font-size: 15px; }}
    QFrame#card, QGroupBox {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 8px; }}
    QGroupBox {{ margin-top: 14px; padding: 14px 10px 10px 10px; font-weight: 600; }}
    QGroupBox::title {{ subcontrol-origin: margin; left: 12px; padding: 0 4px; color: {t.muted}; }}
    QLabel {{ background: transparent; }}
    QLabel#muted {{ color: {t.muted}; }}
    QLabel#fieldError {{ color: {t.error}; font-size: 13px; }}
    QLabel#fieldWarning {{ color: {t.warning}; font-size: 13px; }}
    QLabel#outcome {{ color: {t.ok}; font-weight: 600; }}
    QLabel#criticalAlert {{ background: {alert_background}; color: {alert_text}; font-size: 20px; font-weight: 800;
        padding: 10px 14px; border-radius: 8px; }}
    QLabel#surgeAlert {{ background: {attention_colour(t, "danger")[0]}; color: {attention_colour(t, "danger")[1]};
                         font-size: 15px; font-weight: 700; padding: 8px 12px; border-radius: 6px; }}
    QLabel#radiograph {{ background: {RADIOGRAPH_BACKGROUND}; color: {RADIOGRAPH_TEXT}; border-radius: 6px; }}
    QFrame#lockFull {{ background: {t.window}; }}
    QFrame#lockDim {{ background: rgba(0, 0, 0, 110); }}
    QFrame#news_good, QFrame#news_bad, QFrame#news_moved {{ background: {t.surface}; border-radius: 8px; }}
    QFrame#news_good {{ border: 2px solid {t.ok}; }}
    QFrame#news_bad {{ border: 2px solid {t.error}; }}
    QFrame#news_moved {{ border: 2px solid {t.warning}; }}
    QFrame#news_good QLabel, QFrame#news_bad QLabel, QFrame#news_moved QLabel {{ font-size: 17px; font-weight: 700; }}
    QCheckBox {{ spacing: 8px; }}
    QCheckBox::indicator {{ width: 20px; height: 20px; border: 2px solid {t.muted}; border-radius: 4px;
        background: {t.surface}; }}
    QCheckBox::indicator:checked {{ background: {t.accent}; border-color: {t.accent}; }}
    QFrame#messageBanner {{ background: {t.surface}; border: 2px solid {t.accent}; border-radius: 8px; }}
    QFrame#messageBanner QLabel {{ font-size: 16px; font-weight: 600; }}
    QFrame#messageUrgent {{ background: {alert_background}; border-radius: 8px; }}
    QFrame#messageUrgent QLabel {{ color: {alert_text}; font-size: 18px; font-weight: 800; }}
    QFrame#bubbleMine, QFrame#bubbleTheirs {{ border: 1px solid {t.border}; border-radius: 8px; }}
    QFrame#bubbleMine {{ background: {t.raised}; }}
    QFrame#bubbleTheirs {{ background: {t.surface}; }}
    QFrame#bubbleUrgent {{ background: {t.surface}; border: 3px solid {t.error}; border-radius: 8px; }}
    QLabel#outcomeWaiting {{ color: {t.warning}; font-weight: 600; }}
    QLabel#outcomeRefused {{ color: {t.error}; font-weight: 600; }}
    QLabel#heading {{ font-size: 20px; font-weight: 700; }}
    QWidget#cardPage {{ background: transparent; }}
    QLabel#secretText {{ font-family: "DejaVu Sans Mono", "Consolas", monospace; font-size: 18px; }}
    QLineEdit#codeField {{ font-family: "DejaVu Sans Mono", "Consolas", monospace; font-size: 24px; }}
    QLabel#subheading {{ font-size: 16px; font-weight: 600; }}
    QLineEdit, QPlainTextEdit, QComboBox, QDateEdit {{
        background: {t.raised}; border: 1px solid {t.border}; border-radius: 6px; padding: 7px 9px;
        min-height: 30px; selection-background-color: {t.accent}; selection-color: {t.accent_text}; }}
    /* A 2 px border takes 1 px of padding: focus or a message never changes a field's size (a grid reflowed). */
    QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus {{ border: 2px solid {t.accent}; padding: 6px 8px; }}
    QLineEdit[invalid="true"] {{ border: 2px solid {t.error}; padding: 6px 8px; }}
    QLineEdit[warned="true"] {{ border: 2px solid {t.warning}; padding: 6px 8px; }}
    QPushButton {{ background: {t.raised}; border: 1px solid {t.border}; border-radius: 6px;
        min-height: {TOUCH_PX}px; padding: 0 16px; font-weight: 600; }}
    QPushButton:hover {{ border-color: {t.accent}; }}
    QPushButton:focus {{ border: 2px solid {t.accent}; padding: 0 15px; }}
    QPushButton#primary {{ background: {t.accent}; color: {t.accent_text}; border: none; }}
    QPushButton:disabled, QPushButton#primary:disabled {{ background: {t.raised}; color: {t.muted};
        border: 1px dashed {t.border}; }}
    QPushButton:checked {{ background: {t.accent}; color: {t.accent_text}; }}
    QPushButton:checked:focus {{ border: 3px solid {t.text}; padding: 0 14px; }}
    QPushButton#primary:focus {{ border: 3px solid {t.text}; padding: 0 13px; }}
    QPushButton#segment {{ padding: 0 10px; }}
    QPushButton#segment:focus {{ padding: 0 9px; }}
    QPushButton#segment:checked:focus {{ padding: 0 8px; }}
    QPushButton#timelineStep {{ padding: 2px 6px; font-weight: normal; }}
    QPushButton#timelineStep[stamped="true"] {{ font-weight: 600; }}
    QPushButton#timelineStep[next="true"] {{ border: 2px solid {t.accent}; padding: 1px 5px; }}
    QPushButton#timelineStep:focus {{ border: 3px solid {t.text}; padding: 0 4px; }}
    QListWidget, QTableWidget, QTableView {{ background: {t.surface}; border: 1px solid {t.border};
        border-radius: 6px; alternate-background-color: {t.raised}; gridline-color: {t.border}; }}
    QListWidget:focus, QTableWidget:focus, QTableView:focus {{ border: 2px solid {t.accent}; }}
    QListWidget::item {{ min-height: {TOUCH_PX}px; padding: 4px 8px; border-bottom: 1px solid {t.border}; }}
    QListWidget::item:selected {{ background: {t.accent}; color: {t.accent_text}; }}
    QHeaderView::section {{ background: {t.raised}; color: {t.muted}; border: none;
        border-bottom: 1px solid {t.border}; padding: 6px; font-weight: 600; }}
    QTabBar::tab {{ min-height: {TOUCH_PX - 8}px; padding: 4px 18px; background: {t.raised};
        border: 1px solid {t.border}; border-bottom: none; border-top-left-radius: 6px; border-top-right-radius: 6px; }}
    QTabBar::tab:selected {{ background: {t.surface}; color: {t.accent}; font-weight: 700; }}
    QTabWidget::pane {{ border: 1px solid {t.border}; background: {t.surface}; }}
    QStatusBar {{ background: {t.surface}; border-top: 1px solid {t.border}; }}
    QToolBar {{ background: {t.surface}; border-bottom: 1px solid {t.border}; spacing: 8px; padding: 4px; }}
    QScrollArea {{ border: none; }}
    QMenu {{ background: {t.surface}; border: 1px solid {t.border}; padding: 4px; }}
    QMenu::item {{ padding: 12px 28px 12px 16px; min-height: 20px; }}
    QMenu::item:selected {{ background: {t.accent}; color: {t.accent_text}; }}
    QMenu::item:disabled {{ color: {t.muted}; }}
    QSplitter::handle {{ background: {t.border}; }}
    """


def apply_theme(app: QApplication, theme: Theme) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(theme.window))
    palette.setColor(QPalette.ColorRole.Base, QColor(theme.raised))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor(theme.surface))
    palette.setColor(QPalette.ColorRole.Text, QColor(theme.text))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(theme.text))
    palette.setColor(QPalette.ColorRole.ButtonText, QColor(theme.text))
    palette.setColor(QPalette.ColorRole.Button, QColor(theme.raised))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(theme.accent))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor(theme.accent_text))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor(theme.muted))
    app.setPalette(palette)
    app.setStyleSheet(stylesheet(theme))

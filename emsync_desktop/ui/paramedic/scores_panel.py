"""NEWS2 with its band colour and parts, shock index, and what the case still lacks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from emsync_desktop.domain.news2 import PARAMETER_LABELS, PARAMETERS, response_for
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.theme import Theme


class ScoresPanel(QFrame):
    def __init__(self, model: CaseEditorModel, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self._theme = theme
        self.badge = QLabel("NEWS2\n–")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setMinimumSize(150, 110)
        self.band = QLabel("No observations yet")
        self.band.setObjectName("subheading")
        self.band.setWordWrap(True)
        self.response = QLabel()
        self.response.setWordWrap(True)
        self.shock = QLabel("Shock index –")
        self.shock.setObjectName("subheading")
        self.parts = QGridLayout()
        self.part_labels: dict[str, QLabel] = {}
        for i, name in enumerate(PARAMETERS):
            self.parts.addWidget(QLabel(PARAMETER_LABELS[name]), i, 0)
            points = QLabel("–")
            points.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.parts.addWidget(points, i, 1)
            self.part_labels[name] = points
        self.problems = QLabel()
        self.problems.setObjectName("fieldWarning")
        self.problems.setWordWrap(True)
        top = QGridLayout()
        top.addWidget(self.badge, 0, 0, 3, 1)
        top.addWidget(self.band, 0, 1)
        top.addWidget(self.response, 1, 1)
        top.addWidget(self.shock, 2, 1)
        top.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.parts)
        note = QLabel("Rule-based score (RCP NEWS2, 2017). Decision support, not a diagnosis.")
        note.setObjectName("muted")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.problems)
        model.snapshot_changed.connect(self._on_snapshot)
        self._paint_badge(None, "–")

    def _on_snapshot(self, snapshot: CaseSnapshot | None) -> None:
        news2 = snapshot.news2 if snapshot else None
        if news2 is None:
            self._paint_badge(None, "–")
            self.band.setText("No observations yet")
            self.response.setText("")
            for label in self.part_labels.values():
                label.setText("–")
        else:
            partial = "" if news2.complete else " *"
            self._paint_badge(news2.band, f"{news2.total}{partial}")
            self.band.setText(f"{news2.band.label} risk · SpO2 scale {news2.spo2_scale}")
            missing = (f"\n* Partial: {len(news2.missing)} parameter(s) not recorded, counted as 0."
                       if news2.missing else "")
            self.response.setText(response_for(news2.band) + missing)
            for name, label in self.part_labels.items():
                label.setText(str(news2.parts[name]) if name in news2.parts else "missing")
        shock = snapshot.shock if snapshot else None
        no_shock = "Shock index – (needs HR and SBP)"
        self.shock.setText(f"Shock index {shock.value:.2f} ({shock.level})" if shock else no_shock)
        problems = snapshot.problems if snapshot else ()
        self.problems.setText("\n".join(f"⚠ {p}" for p in problems))
        self.problems.setVisible(bool(problems))

    def _paint_badge(self, band: object, text: str) -> None:
        from emsync_desktop.domain.news2 import News2Band

        background, foreground = self._theme.band_colour(band if isinstance(band, News2Band) else None)
        self.badge.setText(f"NEWS2\n{text}")
        self.badge.setStyleSheet(
            f"background:{background}; color:{foreground}; border-radius:10px; font-size:30px; font-weight:800;"
        )

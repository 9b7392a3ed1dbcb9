"""NEWS2 with its band colour and parts, shock index, and what the case still lacks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.news2 import (
    PARAMETER_LABELS,
    PARAMETERS,
    News2Band,
    News2Result,
    News2Status,
    response_for,
    score_text,
)
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
        self.shock.setWordWrap(True)
        self.in_progress = QLabel()
        self.in_progress.setObjectName("fieldWarning")
        self.in_progress.setWordWrap(True)
        self.parts_heading = QLabel()
        self.parts_heading.setObjectName("muted")
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
        layout.addWidget(self.in_progress)
        layout.addWidget(self.parts_heading)
        layout.addLayout(self.parts)
        note = QLabel("Rule-based score (RCP NEWS2, 2017). Decision support, not a diagnosis.")
        note.setObjectName("muted")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.problems)
        model.snapshot_changed.connect(self._on_snapshot)
        self._paint_badge(None, "–")

    def _on_snapshot(self, snapshot: CaseSnapshot | None) -> None:
        self._show_news2(snapshot.news2_status if snapshot else None)
        newest = next((e for e in reversed(snapshot.vitals) if not e.vitals.is_empty()), None) if snapshot else None
        self._show_parts(newest.news2 if newest else None, clock(newest.vitals.taken_at) if newest else "")
        shock = snapshot.shock if snapshot else None
        no_shock = "Shock index – (needs HR and SBP)"
        self.shock.setText(f"Shock index {shock.value:.2f} ({shock.level})" if shock else no_shock)
        problems = snapshot.problems if snapshot else ()
        self.problems.setText("\n".join(f"⚠ {p}" for p in problems))
        self.problems.setVisible(bool(problems))

    def _show_news2(self, status: News2Status | None) -> None:
        """The badge shows a complete set's score, or an incomplete set's lower bound when that is already
        worse (News2Status.headline); an incomplete set is never shown as if it were a score."""
        headline = status.headline if status else None
        partial = status.in_progress if status else None
        if headline is None:
            self._paint_badge(None, "–")
            self.band.setText("No observations yet" if partial is None else "No complete set yet")
            self.response.setText("NEWS2 needs all seven parameters of one set." if partial else "")
        elif headline.result.complete:
            self._paint_badge(headline.result.band, str(headline.result.total))
            self.band.setText(f"{headline.result.band.label} risk · set of {clock(headline.taken_at)} · "
                              f"SpO2 scale {headline.result.spo2_scale}")
            self.response.setText(response_for(headline.result.band))
        else:
            self._paint_badge(headline.result.band, score_text(headline.result))
            complete = status.latest_complete if status else None
            last = f"last complete: {complete.result.total} at {clock(complete.taken_at)}" if complete else \
                "no complete set yet"
            self.band.setText(f"At least {headline.result.band.label} risk · incomplete set · {last}")
            self.response.setText(response_for(headline.result.band))
        if partial is not None and status is not None:
            missing = ", ".join(PARAMETER_LABELS[m] for m in partial.result.missing)
            self.in_progress.setText(f"Set of {clock(partial.taken_at)} is incomplete: {status.recorded} of 7 "
                                     f"recorded ({score_text(partial.result)} so far). Still needed: {missing}.")
        self.in_progress.setVisible(partial is not None)

    def _show_parts(self, news2: News2Result | None, taken: str) -> None:
        self.parts_heading.setText(f"Points of the set of {taken}" if news2 else "")
        for name, label in self.part_labels.items():
            label.setText("–" if news2 is None else str(news2.parts[name]) if name in news2.parts else "not yet")

    def _paint_badge(self, band: object, text: str) -> None:
        background, foreground = self._theme.band_colour(band if isinstance(band, News2Band) else None)
        self.badge.setText(f"NEWS2\n{text}")
        self.badge.setStyleSheet(
            f"background:{background}; color:{foreground}; border-radius:10px; font-size:30px; font-weight:800;"
        )

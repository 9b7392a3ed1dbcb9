"""Model triage beside NEWS2: urgency with probabilities, each need against its threshold,
the inputs that moved the call most, what was missing, and which model said so."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from emsync_desktop.domain.news2 import News2Band
from emsync_desktop.domain.triage import (
    NEED_LABELS,
    NEEDS,
    SEVERITY_CLASSES,
    SEVERITY_MEANINGS,
    Severity,
    TriagePrediction,
    triage_readiness,
)
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.theme import Theme

_SEVERITY_BAND = {Severity.CRITICAL: News2Band.HIGH, Severity.MODERATE: News2Band.MEDIUM,
                  Severity.LOW: News2Band.ZERO}
DISCLAIMER = "Decision support from a statistical model, not a diagnosis. NEWS2 above is the validated score."
DEMO_WARNING = "Demonstration model trained on SYNTHETIC data: not clinically validated."


def _bar() -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, 1000)
    bar.setTextVisible(False)
    bar.setFixedHeight(12)
    bar.setMinimumWidth(50)
    return bar


def _label(text: str = "", name: str | None = None, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class TriagePanel(QFrame):
    def __init__(self, model: CaseEditorModel, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self._theme = theme
        self.badge = _label("Urgency\n–")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setMinimumSize(120, 76)
        self.unit = _label("", "subheading", wrap=True)
        self.message = _label("", "fieldWarning", wrap=True)
        self.firmer = _label("", "fieldWarning", wrap=True)  # "Call made without SpO2: add it …"
        self.class_bars: dict[Severity, tuple[QProgressBar, QLabel]] = {}
        classes = QGridLayout()
        for row, severity in enumerate(SEVERITY_CLASSES):
            bar, value, title = _bar(), _label(), _label(severity.value)
            title.setToolTip(f"{severity.value} = {SEVERITY_MEANINGS[severity]}")
            classes.addWidget(title, row, 0)
            classes.addWidget(bar, row, 1)
            classes.addWidget(value, row, 2, Qt.AlignmentFlag.AlignRight)
            self.class_bars[severity] = (bar, value)
        classes.setColumnStretch(1, 1)
        top = QGridLayout()
        top.addWidget(self.badge, 0, 0, 2, 1)
        top.addWidget(self.unit, 0, 1)
        top.addLayout(classes, 1, 1)
        top.setColumnStretch(1, 1)
        self.need_rows: dict[str, tuple[QLabel, QProgressBar, QLabel]] = {}
        needs = QGridLayout()
        needs.addWidget(_label("Predicted need", "muted"), 0, 0)
        needs.addWidget(_label("(flag at)", "muted"), 0, 2, Qt.AlignmentFlag.AlignRight)
        for row, name in enumerate(NEEDS, start=1):
            label, bar, value = _label(NEED_LABELS[name]), _bar(), _label()
            needs.addWidget(label, row, 0)
            needs.addWidget(bar, row, 1)
            needs.addWidget(value, row, 2, Qt.AlignmentFlag.AlignRight)
            self.need_rows[name] = (label, bar, value)
        needs.setColumnStretch(1, 1)
        self.factors = _label("", wrap=True)
        self.missing = _label("", "muted", wrap=True)
        self.version = _label("", "muted", wrap=True)
        self.meaning = _label("", "muted", wrap=True)  # what the called class means (ESI levels)
        self.demo = _label(DEMO_WARNING, "fieldWarning", wrap=True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.firmer)
        layout.addLayout(needs)
        layout.addWidget(self.meaning)
        layout.addWidget(self.factors)
        layout.addWidget(self.missing)
        layout.addStretch(1)
        layout.addWidget(self.demo)
        layout.addWidget(self.version)
        model.snapshot_changed.connect(self._on_snapshot)
        model.triage_message.connect(self._on_message)
        self._show(None)

    def _on_snapshot(self, snapshot: CaseSnapshot | None) -> None:
        current = snapshot is not None and snapshot.triage_current
        self._show(snapshot.triage if snapshot is not None and current else None)
        observed = snapshot is not None and any(not e.vitals.is_empty() for e in snapshot.vitals)
        readiness = triage_readiness(snapshot.triage_input) if snapshot is not None and observed else None
        if readiness is not None and not readiness.enough:
            self.badge.setText("Urgency\nnot called")
            self.unit.setText("The model abstains: adults only." if readiness.child else  # the message says why
                              "The model abstains: too little recorded.")  # the service's message says what to add
        self.firmer.setText(readiness.message() if readiness is not None and readiness.enough else "")
        self.firmer.setVisible(bool(self.firmer.text()) and current)

    def _on_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _show(self, triage: TriagePrediction | None) -> None:
        for widget in (self.meaning, self.factors, self.missing, self.version, self.demo):
            widget.setVisible(triage is not None)
        self._show_urgency(triage)
        self._show_needs(triage)
        if triage is None:
            return
        self.meaning.setText(f"{triage.severity.value} means {SEVERITY_MEANINGS[triage.severity]}.")
        self.factors.setText(_factor_text(triage))
        self.missing.setText("Not recorded (the models treat these as missing): " + ", ".join(triage.missing)
                             if triage.missing else "All model inputs recorded.")
        self.version.setText(f"Model {triage.model_version} (seven XGBoost models, ONNX, on this device). "
                             f"{DISCLAIMER}")
        self.demo.setVisible("synthetic" in triage.model_version)

    def _show_urgency(self, triage: TriagePrediction | None) -> None:
        band = _SEVERITY_BAND[triage.severity] if triage else None
        background, foreground = self._theme.band_colour(band)
        self.badge.setText(f"Urgency\n{triage.severity.value if triage else '–'}")
        self.badge.setStyleSheet(f"background:{background}; color:{foreground}; border-radius:10px; "
                                 "font-size:20px; font-weight:800;")
        self.unit.setText(f"Suggested unit: {triage.suggested_unit}" if triage else "Model triage")
        for severity, (bar, value) in self.class_bars.items():
            p = triage.severity_probabilities[severity.value] if triage else None
            bar.setValue(round((p or 0.0) * 1000))
            value.setText(f"{p:.0%}" if p is not None else "–")

    def _show_needs(self, triage: TriagePrediction | None) -> None:
        estimates = {n.name: n for n in triage.needs} if triage else {}
        for name, (label, bar, value) in self.need_rows.items():
            need = estimates.get(name)
            bar.setValue(round(need.probability * 1000) if need else 0)
            value.setText(f"{_pct(need.probability)} (≥{_pct(need.threshold)})" if need else "–")
            flagged = bool(need and need.flagged)
            label.setText(("⚑ " if flagged else "") + NEED_LABELS[name])
            weight = "font-weight:700;" if flagged else ""
            label.setStyleSheet(weight)
            value.setStyleSheet(weight)


def _pct(p: float) -> str:
    return f"{p:.0%}" if p >= 0.1 else f"{p:.1%}"


def _factor_text(triage: TriagePrediction) -> str:
    if not triage.factors:
        return "No single input moves this call much: it rests on the whole picture."
    lines = [f"What moved “{triage.severity.value}” most (vs a typical value):"]
    for f in triage.factors:
        verb = "raises" if f.odds_ratio >= 1 else "lowers"
        ratio = f.odds_ratio if f.odds_ratio >= 1 else 1 / f.odds_ratio
        lines.append(f"• {f.label} {f.shown_value} — {verb} the odds ×{ratio:.1f}")
    return "\n".join(lines)

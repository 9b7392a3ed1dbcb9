"""Vitals entry (one observation set at a time), trend chart and table of sets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.news2 import score_text
from emsync_desktop.domain.vitals import NUMERIC_SPECS, Consciousness
from emsync_desktop.services.case_views import CaseSnapshot, VitalsEntry
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.paramedic.vitals_chart import VitalsTrendChart
from emsync_desktop.ui.theme import Theme
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.fields import ChoiceField, ProblemLine, SavingField

NUMERIC_ORDER = ["hr_bpm", "rr_per_min", "spo2_pct", "sbp_mmhg", "dbp_mmhg", "temp_c", "gcs", "pain_0_10",
                 "glucose_mg_dl"]
OXYGEN_CHOICES = [("air", "Air", "Breathing room air"), ("oxygen", "O₂", "On supplemental oxygen")]
ACVPU_CHOICES = [(c.value, c.value, c.label) for c in Consciousness]
SCALE_CHOICES = [("1", "Scale 1", "Standard SpO2 scale"),
                 ("2", "Scale 2", "Hypercapnic respiratory failure, target 88-92 % (clinician decision)")]
# Short enough that the grid fits the editor of a 1280 px screen (the full names are the tooltips).
SHORT_LABELS = {"hr_bpm": "HR", "rr_per_min": "RR", "spo2_pct": "SpO2", "sbp_mmhg": "Systolic",
                "dbp_mmhg": "Diastolic", "temp_c": "Temp", "gcs": "GCS", "pain_0_10": "Pain",
                "glucose_mg_dl": "Glucose"}
# Grid of the entry panel: (row, column, column span), in the order of GRID_ORDER. Four columns fit
# a 1366 px wide laptop screen beside the case list and the NEWS2 panel.
GRID_ORDER = ["hr_bpm", "rr_per_min", "spo2_pct", "on_oxygen", "sbp_mmhg", "dbp_mmhg", "temp_c", "gcs",
              "pain_0_10", "glucose_mg_dl", "consciousness"]
GRID = [(0, 0, 1), (0, 1, 1), (0, 2, 1), (0, 3, 1), (1, 0, 1), (1, 1, 1), (1, 2, 1), (1, 3, 1),
        (2, 0, 1), (2, 1, 1), (2, 2, 2)]
TABLE_COLUMNS = [("Time", None), ("HR", "hr_bpm"), ("RR", "rr_per_min"), ("SpO2", "spo2_pct"), ("O₂", None),
                 ("BP", None), ("Temp", "temp_c"), ("ACVPU", None), ("GCS", "gcs"), ("Pain", "pain_0_10"),
                 ("Gluc", "glucose_mg_dl"), ("NEWS2", None)]


class VitalsPanel(QWidget):
    def __init__(self, model: CaseEditorModel, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.fields: dict[str, SavingField | ChoiceField] = {}
        box = QGroupBox("Vitals — current observation set")
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(6)
        for name in NUMERIC_ORDER:
            spec = NUMERIC_SPECS[name]
            field = SavingField(name, SHORT_LABELS[name], spec.unit, placeholder="—")
            field.setToolTip(f"{spec.label} ({spec.unit})" if spec.unit else spec.label)
            field.edit.setAccessibleName(spec.label)
            field.edit.setMinimumWidth(64)
            self._register(field)
        self._register(ChoiceField("on_oxygen", "Air or oxygen", OXYGEN_CHOICES))
        self._register(ChoiceField("consciousness", "ACVPU (C = new confusion)", ACVPU_CHOICES))
        self.scale = ChoiceField("spo2_scale", "SpO2 scale", SCALE_CHOICES)
        self.scale.commit.connect(lambda _n, v: model.save_detail("spo2_scale", v or "1"))
        for (row, col, span), name in zip(GRID, GRID_ORDER, strict=True):
            grid.addWidget(self.fields[name], row, col, 1, span)
        grid.addWidget(self.scale, 3, 0, 1, 2)
        self.problems = ProblemLine()
        grid.addWidget(self.problems, 4, 0, 1, 4)
        self.set_label = QLabel()
        self.set_label.setObjectName("muted")
        self.set_label.setWordWrap(True)  # a long set description must not widen the panel past the screen
        self.new_set = touch_button("New set  (Ctrl+Enter)",
                                    tooltip="Keep this set and start a new one for the next reading")
        self.new_set.clicked.connect(self._start_new_set)
        self.carry = touch_button("Carry forward ▾", tooltip="Copy values from the set before into this one, "
                                  "marked as carried (not measured again)")
        self.carry_menu = QMenu(self.carry)
        self.carry_menu.aboutToShow.connect(self._fill_carry_menu)
        self.carry.setMenu(self.carry_menu)
        header = QHBoxLayout()
        header.addWidget(self.set_label, 1)
        header.addWidget(self.carry)
        header.addWidget(self.new_set)
        self.chart = VitalsTrendChart(theme)
        self.table = QTableWidget(0, len(TABLE_COLUMNS))
        self.table.setHorizontalHeaderLabels([c for c, _ in TABLE_COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setMinimumHeight(150)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)
        layout.addLayout(header)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.table)
        QShortcut(QKeySequence("Ctrl+Return"), self, self._start_new_set, context=Qt.ShortcutContext.WindowShortcut)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self._start_new_set, context=Qt.ShortcutContext.WindowShortcut)
        model.snapshot_changed.connect(self._on_snapshot)
        model.field_result.connect(self._on_field_result)
        model.vitals_set_changed.connect(self._on_set_changed)

    def _register(self, field: SavingField | ChoiceField) -> None:
        self.fields[field.name] = field
        field.commit.connect(self._model.save_vital)

    def flush(self) -> None:
        for field in self.fields.values():
            field.flush()

    def _start_new_set(self) -> None:
        self.flush()
        self._model.start_new_set()
        self.fields["hr_bpm"].setFocus()
        first = self.fields["hr_bpm"]
        if isinstance(first, SavingField):
            first.edit.setFocus()

    def _fill_carry_menu(self) -> None:
        self.carry_menu.clear()
        before = self._set_before()
        if before is None:
            self.carry_menu.addAction("No earlier set to carry from").setEnabled(False)
            return
        present = [name for name in CARRY_ORDER if getattr(before.vitals, name) is not None]
        every = self.carry_menu.addAction(f"All values of the {clock(before.vitals.taken_at)} set")
        every.triggered.connect(lambda: self._carry(present))
        self.carry_menu.addSeparator()
        for name in present:
            action = self.carry_menu.addAction(f"{_label(name)}  {_value_text(before, name)}")
            action.triggered.connect(lambda _c=False, n=name: self._carry([n]))

    def _set_before(self) -> VitalsEntry | None:
        snapshot = self._model.snapshot
        if snapshot is None:
            return None
        others = [v for v in snapshot.vitals if v.id != self._model.vitals_set_id and not v.vitals.is_empty()]
        return max(others, key=lambda v: v.vitals.taken_at) if others else None

    def _carry(self, fields: list[str]) -> None:
        self.flush()  # what is typed in this set is measured: it stays
        self._model.carry_forward(fields)

    def _on_set_changed(self, _set_id: str, entry: VitalsEntry | None) -> None:
        self.problems.clear_all()
        for name, field in self.fields.items():
            if isinstance(field, ChoiceField):
                field.reset(_choice_value(entry, name))
            else:
                value = getattr(entry.vitals, name) if entry else None
                field.reset(_format(name, value))
        self._update_set_label()

    def _on_snapshot(self, snapshot: CaseSnapshot | None) -> None:
        if snapshot is None:
            return
        self.scale.set_value(str(snapshot.details.spo2_scale))
        self.chart.set_series(snapshot.vitals)
        self._fill_table(snapshot.vitals)
        self._update_set_label()

    def _update_set_label(self) -> None:
        entry = self._model.current_set()
        if isinstance(entry, VitalsEntry):
            when = clock(entry.vitals.taken_at)
            carried = ", ".join(_label(name) for name in CARRY_ORDER if name in entry.carried)
            self.set_label.setText(f"Editing the set taken at {when}. Values save as you type."
                                   + (f" Carried, not measured again (↻): {carried}." if carried else ""))
        else:
            self.set_label.setText("New set: it is timed when you enter its first value.")

    def _on_field_result(self, name: str, error: str | None, warning: str | None) -> None:
        if name in self.fields:
            self.fields[name].show_result(error, warning)
            self.problems.report(name, error, warning)
        elif name == "spo2_scale":
            self.scale.show_result(error, warning)
            self.problems.report(name, error, warning)

    def _fill_table(self, entries: tuple[VitalsEntry, ...]) -> None:
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(reversed(entries)):
            for col, text in enumerate(_row_texts(entry)):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()


def _format(name: str, value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if not NUMERIC_SPECS[name].integer else f"{value:.0f}"


def _choice_value(entry: VitalsEntry | None, name: str) -> str:
    if entry is None:
        return ""
    value = getattr(entry.vitals, name)
    if name == "on_oxygen":
        return "" if value is None else ("oxygen" if value else "air")
    return value.value if value is not None else ""


def _row_texts(entry: VitalsEntry) -> list[str]:
    v = entry.vitals
    bp = f"{v.sbp_mmhg:.0f}/{v.dbp_mmhg:.0f}" if v.sbp_mmhg and v.dbp_mmhg else _format("sbp_mmhg", v.sbp_mmhg)
    oxygen = "" if v.on_oxygen is None else ("O₂" if v.on_oxygen else "air")
    news2 = score_text(entry.news2)  # "≥ 6" for an incomplete set: a lower bound, not a score
    mark = {"BP": {"sbp_mmhg", "dbp_mmhg"}, "O₂": {"on_oxygen"}, "ACVPU": {"consciousness"}}
    texts = []
    for title, name in TABLE_COLUMNS:
        if name is not None:
            texts.append(_format(name, getattr(v, name)) + (" ↻" if name in entry.carried else ""))
        else:
            text = {"Time": clock(v.taken_at), "O₂": oxygen, "BP": bp,
                    "ACVPU": v.consciousness.value if v.consciousness else "", "NEWS2": news2}[title]
            texts.append(text + (" ↻" if text and mark.get(title, set()) & entry.carried else ""))
    return texts


CARRY_ORDER = [*NUMERIC_ORDER, "on_oxygen", "consciousness"]


def _label(name: str) -> str:
    return SHORT_LABELS.get(name, {"on_oxygen": "Air/O₂", "consciousness": "ACVPU"}.get(name, name))


def _value_text(entry: VitalsEntry, name: str) -> str:
    value = getattr(entry.vitals, name)
    if name == "on_oxygen":
        return "O₂" if value else "air"
    if name == "consciousness":
        return str(value.value)
    unit = NUMERIC_SPECS[name].unit
    return f"{_format(name, value)} {unit}".strip()

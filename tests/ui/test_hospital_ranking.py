from __future__ import annotations

from pytestqt.qtbot import QtBot

from emsync_desktop.geo.roads import import_roads
from emsync_desktop.ui.main_window import MainWindow
from tests.geo.conftest import helsinki_pbf
from tests.ui.test_case_entry import open_new_case, type_into


def open_hospital_tab(qtbot: QtBot, window: MainWindow):  # type: ignore[no-untyped-def]
    workspace = open_new_case(qtbot, window)
    workspace.tabs.setCurrentIndex(1)
    type_into(qtbot, workspace.form.fields["chief_complaint"], "Central chest pain")  # type: ignore[arg-type]
    workspace.show_tab("Hospital")
    panel = workspace.transfer
    qtbot.waitUntil(lambda: "Ranked from" in panel.routing_note.text(), timeout=15_000)
    return panel


def test_hospitals_are_ranked_with_eta_source_and_reasons(qtbot: QtBot, window: MainWindow) -> None:
    panel = open_hospital_tab(qtbot, window)
    qtbot.waitUntil(lambda: "cath lab" in panel.routing_note.text(), timeout=15_000)  # chest pain → cath lab
    rows = panel.hospitals.rowCount()
    assert rows == 10 and panel.selected_hospital() == panel.hospitals.item(0, 0).data(256)  # best is selected
    whys = [panel.hospitals.item(r, 3).text() for r in range(rows)]  # type: ignore[union-attr]
    assert all("free" in why for why in whys)
    assert all(panel.hospitals.item(r, 1).text().startswith("≈ ") for r in range(rows))  # type: ignore[union-attr]
    assert "straight-line estimate" in panel.routing_note.text() and "No road data" in panel.routing_note.text()


def test_road_data_of_another_region_falls_back_and_says_why(qtbot: QtBot, window: MainWindow) -> None:
    import_roads(helsinki_pbf(), window.context.data_dir)  # Helsinki roads; the ambulance is in Kochi
    panel = open_hospital_tab(qtbot, window)
    assert "outside the imported road data (Helsinki.osm.pbf)" in panel.routing_note.text()
    assert panel.hospitals.rowCount() == 10

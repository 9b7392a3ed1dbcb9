"""GET /interop/edxl-have: the network's capacity as EDXL-HAVE 1.0, valid against the official XSD, for
coordinators and administrators only."""

from __future__ import annotations

from lxml import etree

from emsync_desktop.services.paths import RESOURCES_DIR
from tests.sync_server.conftest import Server

HAVE = "{urn:oasis:names:tc:emergency:EDXL:HAVE:1.0}"



def test_the_report_is_valid_edxl_have_1_0_for_a_coordinator(server: Server) -> None:
    response = server.client.get("/interop/edxl-have", headers={"Authorization": f"Bearer {server.token('rahul')}"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    schema = etree.XMLSchema(etree.parse(str(RESOURCES_DIR / "schemas" / "edxl-have-1.0" / "have.xsd")))
    document = etree.fromstring(response.content)
    assert schema.validate(document), schema.error_log
    assert len(document.findall(f"{HAVE}Hospital")) > 0 and document.find(f".//{HAVE}AvailableCount") is not None


def test_without_a_token_it_is_401(server: Server) -> None:
    assert server.client.get("/interop/edxl-have").status_code == 401


def test_a_paramedic_may_not_read_it(server: Server) -> None:
    response = server.client.get("/interop/edxl-have", headers={"Authorization": f"Bearer {server.token('asha')}"})
    assert response.status_code == 403

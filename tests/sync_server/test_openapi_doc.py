"""The OpenAPI document tells the answers the server gives: refusals as ``{"detail": string}``, the 400 of
an unreadable JSON body, ``Allow`` on 405, and integers that are integers (not booleans). The database does
not matter here: SQLite only."""

from __future__ import annotations

from typing import Any

import pytest

from emsync_desktop.domain.ids import new_id
from tests.sync_server.conftest import Server, transfer_request

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
SHA = "0" * 64


def auth(server: Server, user: str = "asha") -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token(user)}"}


def documented(server: Server, method: str, path: str, status: int) -> dict[str, Any]:
    responses = server.client.get("/openapi.json").json()["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} does not document {status}"
    return dict(responses[str(status)])


def test_every_documented_refusal_is_a_detail_string(server: Server) -> None:
    schema = server.client.get("/openapi.json").json()
    refusals = [(path, method, status, response) for path, operations in schema["paths"].items()
                for method, operation in operations.items()
                for status, response in operation["responses"].items() if status.startswith("4")]
    assert len(refusals) > 10
    for path, method, status, response in refusals:
        body = response["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
    assert schema["components"]["schemas"]["ErrorBody"]["properties"]["detail"]["type"] == "string"


def test_422_answer_matches_its_documentation(server: Server) -> None:
    response = server.client.get("/sync/pull", params={"since": -1}, headers=auth(server))
    assert response.status_code == 422 and isinstance(response.json()["detail"], str)
    assert documented(server, "get", "/sync/pull", 422)["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorBody")


def test_json_nested_too_deeply_is_a_documented_400(server: Server) -> None:
    deep = '{"ops": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = server.client.post("/sync/push", content=deep, headers={**auth(server),
                                                                       "Content-Type": "application/json"})
    assert response.status_code == 400 and isinstance(response.json()["detail"], str)
    for path in ("/sync/push", "/auth/login", "/auth/refresh"):
        documented(server, "post", path, 400)
        documented(server, "post", path, 413)


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("OPTIONS", f"/blobs/{SHA}", {"GET", "PUT"}),
    ("DELETE", f"/blobs/{SHA}", {"GET", "PUT"}),
    ("DELETE", "/sync/push", {"POST"}),
    ("POST", f"/blobs/{SHA}/status", {"GET"}),
])
def test_405_allow_names_every_method_of_the_path(server: Server, method: str, path: str, allowed: set[str]) -> None:
    response = server.client.request(method, path, headers=auth(server))
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} - {"HEAD"} == allowed


def test_boolean_is_not_an_integer_in_an_op(server: Server) -> None:
    bad = {**transfer_request(new_id()), "device_seq": True}
    response = server.client.post("/sync/push", json={"ops": [bad]}, headers=auth(server))
    assert response.status_code == 422 and "device_seq" in response.json()["detail"]


def test_boolean_is_not_an_integer_in_a_payload(server: Server) -> None:
    bad = transfer_request(new_id())
    bad["payload"]["eta_s"] = True
    [result] = server.push("asha", bad)
    assert result["status"] == "rejected" and "eta_s" in result["reason"]


def test_boolean_is_not_an_integer_in_a_query(server: Server) -> None:
    response = server.client.get("/sync/pull", params={"since": "true"}, headers=auth(server))
    assert response.status_code == 422


def test_number_without_a_fraction_is_an_integer_as_json_schema_says(server: Server) -> None:
    good = {**transfer_request(new_id()), "device_seq": 7.0}
    [result] = server.push("asha", good)
    assert result["status"] == "applied"


def test_text_is_not_an_integer(server: Server) -> None:
    bad = {**transfer_request(new_id()), "device_seq": "7"}
    response = server.client.post("/sync/push", json={"ops": [bad]}, headers=auth(server))
    assert response.status_code == 422 and "device_seq" in response.json()["detail"]


def test_integer_bounds_are_ones_a_json_double_holds_exactly(server: Server) -> None:
    op_schema = server.client.get("/openapi.json").json()["components"]["schemas"]["Op"]
    assert op_schema["properties"]["device_seq"]["maximum"] == 2**53 - 1
    bad = {**transfer_request(new_id()), "device_seq": 2**53}
    assert server.client.post("/sync/push", json={"ops": [bad]}, headers=auth(server)).status_code == 422

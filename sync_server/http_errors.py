"""How the server answers a refused request, and how its OpenAPI document describes those answers.

Every refusal is ``{"detail": "<what went wrong, in words a person can read>"}`` (``ErrorBody``): a body
that fails validation is 422, one that cannot be read as JSON at all (nested too deeply, not UTF-8) is
FastAPI's 400, one over the size limit 413 (``body_limit``). The document says so for every operation,
so that schema-based clients and fuzzers (schemathesis ``--checks all``) find the answers they are told
of. A method a path does not take is 405 with ``Allow`` naming every method of that path (Starlette
names only those of the first route matching it, e.g. ``PUT`` for ``/blobs/{sha256}``, which takes GET too).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from emsync_desktop.sync.protocol import MAX_BODY_BYTES, ErrorBody

_ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
_JSON_BODY_ERRORS = {
    "400": "The body is not readable as JSON (nested too deeply, or not UTF-8); nothing was applied",
    "413": f"The body is over {MAX_BODY_BYTES} bytes; nothing was applied",
}
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def install(app: FastAPI) -> None:
    """Answer refusals as ``ErrorBody`` with the right ``Allow``, and document them so."""
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(plain_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]]
    return JSONResponse({"detail": "Request refused, nothing was applied. " + "; ".join(problems)},
                        status_code=422)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 405:
        allow = ", ".join(allowed_methods(request.app.router.routes, request.scope))
        exc = StarletteHTTPException(405, exc.detail, headers={**(exc.headers or {}), "Allow": allow})
    return await http_exception_handler(request, exc)


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """Every method some HTTP route takes at ``scope``'s path (HEAD with GET, as Starlette answers it).
    Asked of the routes themselves (``matches``), so routers included in routers are searched too."""
    return [method for method in _METHODS
            if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)]


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every 4xx answer described as ``ErrorBody``, and the 400 and 413 of a JSON body
    documented where one is taken. FastAPI's own 422 schema (``detail`` as an array) goes."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                for status, description in _JSON_BODY_ERRORS.items():
                    responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if status.startswith("4"):
                    response["content"] = _ERROR_BODY
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_ERROR_SCHEMAS:
        components.pop(name, None)
    components["ErrorBody"] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    return schema

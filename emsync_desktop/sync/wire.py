"""The wire protocol's building blocks (``protocol``, ``protocol_blood``): integers as JSON has them, ids, bounded
texts, and the strict base model every payload derives from. Pydantic only."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

# Sequence numbers, versions and ids stay within the integers every JSON reader holds exactly (RFC 7493,
# I-JSON: a double's 53 bits). Near 2**63 a double cannot tell a bound from the next integer, so a
# schema-based client (schemathesis, JavaScript) took 2**63 + 191 for valid where the server refused it.
MAX_WIRE_INT = 2**53 - 1


def _json_integer(value: object) -> object:
    """``true`` and ``"3"`` are not integers (pydantic's lax mode takes both as one); ``3.0`` is, as in
    JSON Schema, and lax mode takes it."""
    if isinstance(value, bool | str | bytes):
        raise ValueError("Input should be a JSON integer")  # a ValueError is what pydantic reports
    return value


def _json_number(value: object) -> object:
    """A dose or an energy is a JSON number: ``true`` and ``"150"`` are not (pydantic's lax mode takes both)."""
    if isinstance(value, bool | str | bytes):
        raise ValueError("Input should be a JSON number")
    return value


# Last in an ``Annotated`` with its bounds (``Annotated[int, Field(ge=0), JSON_INTEGER]``): put outside
# them, pydantic would write the bounds into the JSON schema as ``ge``/``le``, not ``minimum``/``maximum``.
JSON_INTEGER = BeforeValidator(_json_integer)
WireInt = Annotated[int, JSON_INTEGER]

Id = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
ShortText = Annotated[str, StringConstraints(max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
class Strict(BaseModel):
    """A wire model: unknown fields refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)

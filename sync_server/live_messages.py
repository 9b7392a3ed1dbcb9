"""Reading one message of the live channel: a ``LivePush``, or the ``LiveRefused`` that answers it.

Whatever arrives (binary, not JSON, nested 100,000 deep, over the size limit, the wrong shape, a type
the channel does not know) ends in a refusal naming what was wrong, never an exception: the connection
stays up for the device's next push. Statuses are those ``POST /sync/push`` gives: 413 over
``MAX_BODY_BYTES``, 422 for anything malformed (HTTP says 400 for a body it cannot parse as JSON at all;
a device treats both alike: the push is not sent again as it is).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.types import Message

from emsync_desktop.sync.protocol import MAX_BODY_BYTES, LivePush, LiveRefused

NOTHING_APPLIED = "Push refused, nothing was applied."


class _Envelope(BaseModel):
    """As much of a message as names it: read leniently, to say which push a refusal answers."""

    model_config = ConfigDict(extra="ignore")
    type: object = "push"
    request_id: object = None


def read_push(message: Message) -> LivePush | LiveRefused:
    """The push a ``websocket.receive`` message carries, or why it is refused. (A push is parsed once;
    only a refused one is read again, for its id.)"""
    text = message.get("text")
    if text is None:
        return _refused(None, 422, f"{NOTHING_APPLIED} Send each push as a JSON text message, not binary.")
    if _over_limit(text):
        return _refused(_request_id(_envelope(text)), 413, f"{NOTHING_APPLIED} The message is over "
                                                           f"{MAX_BODY_BYTES} bytes: send fewer ops per push.")
    try:
        return LivePush.model_validate_json(text)
    except ValidationError as exc:
        envelope = _envelope(text)
        if envelope is not None and envelope.type != "push":
            return _refused(_request_id(envelope), 422, f"{NOTHING_APPLIED} Unknown message type "
                                                        f"{_shown(envelope.type)}: the live channel takes 'push'.")
        return _refused(_request_id(envelope), 422, f"{NOTHING_APPLIED} {problems(exc)}")


def problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'message'}: {e['msg']}" for e in exc.errors()[:5])


def _refused(request_id: int | None, status: int, detail: str) -> LiveRefused:
    return LiveRefused(request_id=request_id, status=status, detail=detail)


def _over_limit(text: str) -> bool:
    """Over ``MAX_BODY_BYTES`` in UTF-8 (encoded only when it might be: a character is 1 to 4 bytes)."""
    if len(text) * 4 <= MAX_BODY_BYTES:
        return False
    return len(text) > MAX_BODY_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES


def _envelope(text: str) -> _Envelope | None:
    """The message's type and id, or None when it is not a JSON object at all (pydantic's parser has a
    nesting limit; ``json.loads`` would raise RecursionError on a message nested 100,000 deep)."""
    try:
        return _Envelope.model_validate_json(text)
    except ValidationError:
        return None


def _request_id(envelope: _Envelope | None) -> int | None:
    request_id = None if envelope is None else envelope.request_id
    return request_id if isinstance(request_id, int) and not isinstance(request_id, bool) else None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."

"""The server's log lines, from every logger (ours, uvicorn's, alembic's) through one handler on stderr.

``json``: one JSON object per line (``jq``, log shippers): ``t`` (UTC, ISO 8601), ``level``, ``logger``,
``msg``, ``exc`` when there is a traceback, and ``client``/``method``/``path``/``status`` on access lines.
``text``: plain lines for a person at a terminal. Either way a URL's ``token=``/``access_token=``/
``refresh_token=`` value is replaced before the line is written: uvicorn logs the full path, and desktops
built before the live channel took its token from the ``Authorization`` header still send it as ``?token=``
(today's send no token in any URL).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["json", "text"]
REDACTED = "[redacted]"
_TOKEN_IN_QUERY = re.compile(r"(?i)((?:^|[?&;])(?:access_|refresh_)?token=)[^&;#\s\"']*")
# Alembic announces each of its plugins at INFO on every start; its migration steps are worth keeping.
_QUIET = {"alembic": "WARNING", "alembic.runtime.migration": "INFO"}


def redact(text: str) -> str:
    """``text`` with the value of every ``token``-named query parameter replaced by ``[redacted]``."""
    return _TOKEN_IN_QUERY.sub(lambda match: match.group(1) + REDACTED, text)


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "t": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "msg": redact(record.getMessage()),
        }
        line.update(_access_fields(record))
        if record.exc_info:
            line["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _access_fields(record: logging.LogRecord) -> dict[str, Any]:
    """uvicorn's access record: ``'%s - "%s %s HTTP/%s" %d'`` with (client, method, path, version, status)."""
    args = record.args
    if record.name != "uvicorn.access" or not isinstance(args, tuple) or len(args) != 5:
        return {}
    client, method, path, _version, status = args
    return {"client": str(client), "method": str(method), "path": redact(str(path)), "status": status}


def logging_config(log_format: LogFormat) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dict: everything propagates to one stderr handler on the root."""
    formatter = JsonLineFormatter if log_format == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"()": formatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            **{name: {"level": level} for name, level in _QUIET.items()},
            # uvicorn's own handlers are replaced by propagation to ours
            **{name: {"handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
        },
    }


def configure_logging(log_format: LogFormat) -> None:
    """Install the config; pass ``log_config=None`` to uvicorn afterwards so it keeps it."""
    logging.config.dictConfig(logging_config(log_format))

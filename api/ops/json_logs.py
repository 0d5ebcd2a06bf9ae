"""One JSON object per log line (`DOORSTEP_LOG_FORMAT=json`), for log collectors.

The fields are the plain format's, nothing more: time, level, logger, the request id and
the message as Doorstep and uvicorn word it (the access log's paths already have their
tokens hidden by `api.ops.access_log`). An exception is written as its type and frames only:
its message may quote personal data, such as SQL parameters.
"""

from __future__ import annotations

import datetime
import json
import logging
import traceback


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "correlation_id", None) or "-",
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            kind, _error, frames = record.exc_info
            line["error"] = kind.__name__
            line["frames"] = "".join(traceback.format_tb(frames))
        return json.dumps(line, ensure_ascii=False)

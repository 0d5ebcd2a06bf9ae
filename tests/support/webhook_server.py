"""The real app (Twilio webhooks, no scheduler or dispatcher) served by uvicorn in its own
process, so a test can kill it outright: `python -m tests.support.webhook_server PORT URL`."""

from __future__ import annotations

import sys

import uvicorn
from pydantic import SecretStr

from api.app import create_app
from bot.service import build_service
from bot.settings import Settings
from channels.registry import ChannelRegistry
from tests.support.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN


def main(port: int, database_url: str) -> None:
    settings = Settings(
        environment="test",
        database_url=database_url,
        public_base_url=f"http://127.0.0.1:{port}",
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=SecretStr(AUTH_TOKEN),
        twilio_from="+447700900000",
    )
    app = create_app(settings, build_service(settings), ChannelRegistry(), background=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])

"""Every table Doorstep has: import this (not a single models module) to get the metadata.

Each area keeps its models in its own module; adding one means adding its import here.
"""

from __future__ import annotations

from bot.storage import (
    apikey_models,  # noqa: F401 - registers the table
    audit_models,  # noqa: F401 - registers the table
    campaign_models,  # noqa: F401 - registers the tables
    concern_models,  # noqa: F401 - registers the table
    contact_models,  # noqa: F401 - registers the tables
    models,
    repair_models,  # noqa: F401 - registers the table
    segment_models,
    telegram_models,
    user_models,  # noqa: F401 - registers the tables
    webchat_models,
)
from bot.storage.models import Base

metadata = Base.metadata

__all__ = ["metadata", "models", "segment_models", "telegram_models", "webchat_models"]

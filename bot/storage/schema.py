"""Every table Doorstep has: import this (not a single models module) to get the metadata.

Each area keeps its models in its own module; adding one means adding its import here.
"""

from __future__ import annotations

from bot.engine import link_models as telegram_models
from bot.outreach import webchat_models
from bot.storage import models, segment_models
from bot.storage.models import Base

metadata = Base.metadata

__all__ = ["metadata", "models", "segment_models", "telegram_models", "webchat_models"]

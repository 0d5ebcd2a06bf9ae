"""The explicit list of channels a running Doorstep has, built from the settings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.settings import Settings
from bot.storage.db import Database
from channels.base import Channel


class ChannelRegistry(Mapping[str, Channel]):
    def __init__(self, channels: list[Channel] | None = None) -> None:
        self._channels: dict[str, Channel] = {}
        for channel in channels or []:
            self.register(channel)

    def register(self, channel: Channel) -> None:
        if channel.name in self._channels:
            raise ValueError(f"channel {channel.name!r} is registered twice")
        self._channels[channel.name] = channel

    def __getitem__(self, name: str) -> Channel:
        return self._channels[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._channels)

    def __len__(self) -> int:
        return len(self._channels)

    def senders(self) -> dict[str, Channel]:
        """The channels the dispatcher sends through (web chat shows its own messages)."""
        return {
            name: channel for name, channel in self._channels.items() if not channel.shows_itself
        }


def build_channels(settings: Settings, database: Database | None = None) -> ChannelRegistry:
    """Every channel this configuration enables, in a fixed order.

    `database`: where WhatsApp reads when each tenant last wrote (its 24-hour window).
    """
    registry = ChannelRegistry()
    # CHANNELS-BEGIN (one block per channel; each channel module exposes `from_settings`)
    from channels.sms.sender import SmsChannel

    sms_sender = settings.twilio_messaging_service_sid or settings.twilio_from
    if (sms_sender or not settings.whatsapp_enabled) and (
        sms := SmsChannel.from_settings(settings)
    ) is not None:
        registry.register(sms)
    if settings.whatsapp_enabled:
        from channels.whatsapp.sender import WhatsAppChannel

        if (whatsapp := WhatsAppChannel.from_settings(settings, database)) is not None:
            registry.register(whatsapp)
    if settings.telegram_enabled:
        from channels.telegram.sender import TelegramChannel

        registry.register(TelegramChannel.from_settings(settings))
    if settings.email_enabled:
        from channels.email.sender import EmailChannel

        if (email := EmailChannel.from_settings(settings)) is not None:
            registry.register(email)
    from channels.webchat.channel import WebChatChannel

    registry.register(WebChatChannel.from_settings(settings))
    # CHANNELS-END
    del settings, database
    return registry

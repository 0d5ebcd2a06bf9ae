"""A campaign's own send rate per channel: the next free invitation time, kept on the row.

The dispatcher already holds each provider's rate; the campaign rate spreads invitations
over time (so replies and call-backs arrive at a pace the landlord can answer). Slots are
booked only a short way ahead (one scheduler tick), so a pause can still hold back
everything not yet sent.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from bot.settings import Settings

PROVIDER_RATE_FIELDS = {
    "sms": "sms_rate_per_second",
    "whatsapp": "whatsapp_rate_per_second",
    "telegram": "telegram_rate_per_second",
}


def rate_per_second(channel: str, campaign_rates: Mapping[str, float], settings: Settings) -> float:
    """The campaign's rate for a channel (per minute in the campaign, per second here).

    A channel without its own campaign rate goes no faster than its provider may send, so
    invitations never queue up in the outbox beyond the allowed hours. 0 means no limit.
    """
    if channel in campaign_rates:
        return max(0.0, float(campaign_rates[channel])) / 60.0
    field = PROVIDER_RATE_FIELDS.get(channel)
    return float(getattr(settings, field)) if field else 0.0


class Pacer:
    def __init__(
        self,
        booked: Mapping[str, str],
        campaign_rates: Mapping[str, float],
        settings: Settings,
        horizon_end: datetime.datetime,
    ) -> None:
        self._next = {
            channel: datetime.datetime.fromisoformat(moment) for channel, moment in booked.items()
        }
        self._rates = campaign_rates
        self._settings = settings
        self.horizon_end = horizon_end

    def rate(self, channel: str) -> float:
        return rate_per_second(channel, self._rates, self._settings)

    def slot(self, channel: str, earliest: datetime.datetime) -> datetime.datetime | None:
        """The next free time at or after `earliest`, or None if it is beyond this tick."""
        if self.rate(channel) <= 0:
            return earliest
        moment = max(self._next.get(channel, earliest), earliest)
        return moment if moment <= self.horizon_end else None

    def take(self, channel: str, moment: datetime.datetime) -> None:
        rate = self.rate(channel)
        if rate > 0:
            self._next[channel] = moment + datetime.timedelta(seconds=1 / rate)

    def full(self) -> list[str]:
        """Channels with no free slot left in this tick."""
        return sorted(
            channel
            for channel, moment in self._next.items()
            if moment > self.horizon_end and self.rate(channel) > 0
        )

    def booked(self) -> dict[str, str]:
        return {channel: moment.isoformat() for channel, moment in self._next.items()}

"""The conversation engine: an inbound message in, outbound messages out.

Channels, the API, analysis and the rest of `bot/` use only this public surface:

- `bot.engine.engine`: `Engine` (`handle`, `handle_async`, `start`, `remind`, `link`) and
  `SessionAlreadyOpen`;
- `bot.engine.messages`: `InboundMessage`, `OutboundMessage` (what goes in and comes out);
- `bot.engine.render`: `Button`, `Prompt`, `question_prompt`, `sms_prompt`, `display_value`;
- `bot.engine.commands`: `Command` and the command-word helpers channels need for keywords
  (`detect_in_any_language`, `is_word_of`);
- `bot.engine.contacts`: `find_contact`, `switch_language` (where an address stands);
- `bot.engine.links`: `link_telegram_chat`, `reply_text_only`, `hash_token`;
- `bot.engine.bulk`: `BulkWriter`, the event dataclasses for writing past conversations and
  `bulk_loading` (a connection's settings for a load);
- `bot.engine.bulk_blocks`: `detach`, `adopt`, `Played` (blocks played in other processes);
- `bot.engine.upkeep`: `expire_overdue_sessions`;
- `bot.engine.link_models`: the Telegram link-token table.

Everything else (`store`, `turn/`, `answers`, `replies` and the `reply_*` parsers) is the
engine's own; tests/bot/test_engine_surface.py keeps it that way. This module imports
nothing, so that `bot.storage.tables` can import the engine's table model without a cycle.
"""

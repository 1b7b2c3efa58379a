"""The Telegram adapter: application wiring, handlers, sending, the callback codec, pacing,
per-user ordering, links and live results."""

"""Adapters and infrastructure: Telegram, terminal chat, storage, reminders, the CLI."""

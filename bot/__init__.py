"""Adapters and infrastructure for Cluster Journey: Telegram, terminal chat, storage, reminders, CLI."""

"""Reminders of the next actions: when they go out, and what users say to them."""

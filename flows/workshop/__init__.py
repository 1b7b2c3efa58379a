"""Workshops: the participant's three questions, the facilitator's dialogue, the results."""

"""Firing one trigger of a shared `transitions` machine for one conversation.

A machine is built once per content and shared by every conversation. Each event attaches a
lightweight model in the saved state, fires one trigger and detaches it again. A trigger the
state has no transition for is refused here, before `transitions` would log a warning: the flows
ask, they do not drive the machine past its own model.
"""

from __future__ import annotations

from transitions import Machine


def fire(machine: Machine, model: object, state: str, trigger: str) -> str | None:
    """Fire `trigger` for `model` in `state`; the new state, or None if it did not move."""
    event = machine.events.get(trigger)
    if event is None or state not in event.transitions:
        return None
    machine.add_model(model, initial=state)
    try:
        moved = bool(getattr(model, trigger)())
        return str(getattr(model, machine.model_attribute)) if moved else None
    finally:
        machine.remove_model(model)

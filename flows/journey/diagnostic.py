"""The journey diagnostic as a `transitions` state machine generated from the content.

States: idle → mode (quick or full) → one state per journey step (plus `funding`, full check
only) → summary; `paused` from any step. Within a step the record's `index` moves; the machine
moves between steps. One machine is built per content and shared: each event attaches a
lightweight model restored from the record, fires one trigger and detaches it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from transitions import EventData, Machine

from flows.content_model import Content, Question
from flows.journey.state import IDLE, JourneyState
from flows.machine import fire

MODE = "mode"
PAUSED = "paused"
SUMMARY = "summary"
FUNDING = "funding"
QUICK, FULL = "quick", "full"


def step_state(number: int) -> str:
    return f"step_{number:02d}"


class _Model:
    """Binds the journey to the machine for one event; `target` is where the index will point."""

    def __init__(self, journey: JourneyState, diagnostic: Diagnostic) -> None:
        self.journey = journey
        self.diagnostic = diagnostic
        self.target = journey.index


def _leads_to(dest: str) -> Callable[[EventData], bool]:
    def condition(event: EventData) -> bool:
        model = event.model
        assert isinstance(model, _Model)
        journey = model.journey
        return model.diagnostic.state_at(journey.mode, model.target, journey.recheck) == dest

    return condition


class Diagnostic:
    """The question sequences of both modes and the machine that walks them."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.sequences: dict[str, tuple[Question, ...]] = {
            QUICK: tuple(s.key_question for s in content.steps),
            FULL: tuple(q for s in content.steps for q in s.questions) + content.funding.questions,
        }
        self.machine = Machine(
            model=None,
            states=self.states,
            transitions=self.transitions,
            initial=IDLE,
            send_event=True,
            auto_transitions=False,
            ignore_invalid_triggers=True,
        )

    @cached_property
    def question_states(self) -> list[str]:
        return [step_state(s.number) for s in self.content.steps] + [FUNDING]

    @property
    def states(self) -> list[str]:
        return [IDLE, MODE, *self.question_states, PAUSED, SUMMARY]

    @property
    def transitions(self) -> list[dict[str, Any]]:
        asking = self.question_states
        out: list[dict[str, Any]] = [
            {"trigger": "choose_mode", "source": [IDLE, SUMMARY, MODE], "dest": MODE},
            {"trigger": "restart", "source": "*", "dest": MODE},
        ]
        for i, state in enumerate(asking):
            out.append(
                {"trigger": "start", "source": MODE, "dest": state, "conditions": _leads_to(state)}
            )
            # answer: stay within the step, or move on to a later step, funding or the summary
            for dest in [None, *asking[i + 1 :], SUMMARY]:
                out.append(
                    {
                        "trigger": "answer",
                        "source": state,
                        "dest": dest,
                        "conditions": _leads_to(dest or state),
                    }
                )
            for dest in [None, *asking[:i]]:
                out.append(
                    {
                        "trigger": "back",
                        "source": state,
                        "dest": dest,
                        "conditions": _leads_to(dest or state),
                    }
                )
            out.append({"trigger": "pause", "source": state, "dest": PAUSED})
            out.append(
                {
                    "trigger": "resume",
                    "source": PAUSED,
                    "dest": state,
                    "conditions": _leads_to(state),
                }
            )
        return out

    def sequence(self, mode: str | None, recheck: int | None = None) -> tuple[Question, ...]:
        """The questions of a mode (quick or full), or of step `recheck` (re-checking it)."""
        if recheck is not None:
            number = self.content.step_number(str(recheck))
            return self.content.step(number).questions if number else ()
        return self.sequences.get(mode or "", ())

    def state_at(self, mode: str | None, index: int, recheck: int | None = None) -> str | None:
        """The machine state that asks question `index` of `mode` or of step `recheck`
        (summary past the end)."""
        sequence = self.sequence(mode, recheck)
        if index < 0 or not sequence:
            return None
        if index >= len(sequence):
            return SUMMARY
        number = self.content.step_of(sequence[index].id)
        return step_state(number) if number else FUNDING

    def current_question(self, journey: JourneyState) -> Question | None:
        if journey.state not in self.question_states and journey.state != PAUSED:
            return None
        sequence = self.sequence(journey.mode, journey.recheck)
        return sequence[journey.index] if 0 <= journey.index < len(sequence) else None

    def fire(self, journey: JourneyState, trigger: str, target: int | None = None) -> bool:
        """Fire `trigger` for the journey; `target` is the index it moves to. True if it
        moved."""
        model = _Model(journey, self)
        if target is not None:
            model.target = target
        state = fire(self.machine, model, journey.state, trigger)
        if state is None:
            return False
        journey.state, journey.index = state, model.target
        return True

    def mermaid(self) -> str:
        """The state diagram in Mermaid, generated by transitions (kept in docs/)."""
        from transitions.extensions import GraphMachine

        class _Diagram:
            pass

        transitions = [{k: v for k, v in t.items() if k != "conditions"} for t in self.transitions]
        graph = GraphMachine(
            model=_Diagram(),
            states=self.states,
            transitions=transitions,
            initial=IDLE,
            auto_transitions=False,
            graph_engine="mermaid",
            title="Journey diagnostic",
        )
        return str(graph.model.get_graph().draw(None))  # type: ignore[attr-defined]

"""The one routing table: which flow answers a button, a command, a `/start` link or free text.

A button's id is `kind:value`; its kind names the flow that owns it. A command goes to the flow
of its name, a `/start` payload to the flow of its prefix (both from the command registry,
`flows/commands.py`), and free text to the flow that asked for it
(`ConversationState.awaiting`). Adding a kind of button or a flow is one entry here, a command
one in the registry. What a flow records as having happened (`flows.events`) goes to the flows
that act on it, listed here too (`Router.subscribers`). `Router.handle` runs one Turn in the
user's language.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flows import commands, menu, privacy
from flows.actionplan.dialogue import Plans
from flows.content_model import Content
from flows.events import AssessmentCompleted, DomainEvent
from flows.guide import Guide, glossary_prompt
from flows.i18n import use_language
from flows.journey.assessment import Assessment, position_token
from flows.locales import codes
from flows.messages import Event, Reply
from flows.notices import not_understood, stale_button, unknown_command
from flows.regional.consent import KIND, Consent
from flows.reminders.dialogue import Reminders
from flows.scoring import score
from flows.state import Awaiting, ConversationState
from flows.team.dialogue import Teams
from flows.turn import Turn
from flows.workshop.facilitator import Facilitation
from flows.workshop.participant import Participation, waiting_for_step

ChoiceRoute = Callable[[Turn, str], Awaitable[bool]]  # (turn, value) → handled?
CommandRoute = commands.CommandRoute  # (turn, argument)
TextRoute = Callable[[Turn, str], Awaitable[bool]]  # (turn, text) → understood?
Subscriber = Callable[[Turn, Any], Awaitable[None]]  # (turn, event of its kind)

# Buttons of these kinds act on the diagnostic's position: they are valid only while the
# position they were shown for is current (see `position_token`). Other buttons are stateless.
POSITIONAL = frozenset({"ans", "nav", "mode"})
# The main menu's buttons stand for commands (the registry says which).
MENU = commands.BY_BUTTON


@dataclass(frozen=True)
class Routes:
    choices: Mapping[str, ChoiceRoute]  # button kind → flow
    commands: Mapping[str, CommandRoute]  # command name → flow
    starts: Mapping[str, CommandRoute]  # /start payload (or prefix ending in "_") → flow
    texts: Mapping[Awaiting, TextRoute]  # what the conversation waits for → flow


class Router:
    """Every flow, and the table that routes events to them; one per content, stateless."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.assessment = Assessment(content)
        self.guide = Guide(content)
        self.participation = Participation(content, self.assessment)
        self.facilitation = Facilitation(content, self.participation)
        self.reminders = Reminders(content, self.assessment)
        self.plans = Plans(content)
        self.consent = Consent(content)
        self.teams = Teams(content, self.assessment)
        a, g, p, f, r, pl, t = (self.assessment, self.guide, self.participation, self.facilitation,
                                self.reminders, self.plans, self.teams)  # fmt: skip
        self.routes = Routes(
            choices={
                "ans": a.answer_choice,
                "sum": a.more_choice,
                "mode": a.mode_choice,
                "nav": a.nav_choice,
                "menu": self._menu_choice,
                "lang": self._language_choice,
                "guide": g.guide_choice,
                "glossary": g.glossary_choice,
                "term": g.term_choice,
                "tpl": g.template_choice,
                "ws": p.choice,
                "wsf": f.choice,
                "rem": r.choice,
                "act": r.action_choice,
                "plan": pl.plan_choice,
                "own": pl.own_choice,
                "team": t.choice,
                "privacy": privacy.privacy_choice,
                KIND: self.consent.choice,
            },
            commands=commands.command_routes(self),
            starts=commands.start_routes(self),
            texts={
                Awaiting.ANSWER: a.text,
                Awaiting.TERM: g.glossary_text,
                Awaiting.WORKSHOP_ANSWER: p.text,
                Awaiting.WORKSHOP_TITLE: f.title_text,
                Awaiting.WORKSHOP_CODE: p.join_text,
                Awaiting.TIME_ZONE: r.timezone_text,
                Awaiting.PLAN_CLUSTER: pl.name_text,
                Awaiting.ACTION_OWNER: pl.owner_text,
                Awaiting.TEAM_CLUSTER: t.name_text,
            },
        )
        # what follows an event, whichever flow recorded it, in this order; the adapter acts
        # on the rest (`bot.events.Handled.events`)
        self.subscribers: Mapping[type[DomainEvent], Sequence[Subscriber]] = {
            AssessmentCompleted: (p.after_assessment, self._summary, t.after_assessment,
                                  self._ask_consent),
        }  # fmt: skip

    # --- running one event ------------------------------------------------------------------

    async def handle(self, turn: Turn, event: Event) -> None:
        with use_language(turn.conversation.lang):
            if event.kind == "command":
                await self.command(turn, event.value.lower(), event.arg.strip())
            elif event.kind == "open":
                await self.open(turn, event.value)
            elif event.kind == "choice":
                kind, _sep, value = event.value.partition(":")
                route = self.routes.choices.get(kind)
                if route is None or not await route(turn, value):
                    turn.say(Reply(stale_button()), self.prompt(turn))
            else:
                route = self.routes.texts.get(turn.conversation.awaiting)
                if route is None or not await route(turn, event.value):
                    turn.say(Reply(not_understood()), self.prompt(turn))
            await self.publish(turn)

    async def publish(self, turn: Turn) -> None:
        """Hand each event the turn recorded to its subscribers, in order (and those they
        record in turn)."""
        index = 0
        while index < len(turn.events):
            event = turn.events[index]
            index += 1
            for subscriber in self.subscribers.get(type(event), ()):
                await subscriber(turn, event)

    async def command(self, turn: Turn, name: str, arg: str) -> None:
        route = self.routes.commands.get(name)
        if route is None:
            turn.say(Reply(unknown_command()), self.prompt(turn))
            return
        await route(turn, arg)

    async def open(self, turn: Turn, lang: str) -> None:
        """A chat opened that shows no history (the terminal): in the language asked for (""
        keeps the user's), at the question the user is at, else at the welcome."""
        conv = turn.conversation
        if lang in codes():
            conv.lang = lang
        with use_language(conv.lang):
            await self.command(turn, "assess" if self.assessment.in_progress(conv) else "start", "")

    def prompt(self, turn: Turn) -> Reply:
        """What the conversation is waiting for now (used to re-prompt after bad input)."""
        conv = turn.conversation
        if conv.awaiting == Awaiting.TERM:
            return glossary_prompt(self.content)
        return self.assessment.prompt(conv) or menu.menu_reply(
            conv, self.assessment.in_progress(conv)
        )

    @staticmethod
    def is_stale(conv: ConversationState, choice_id: str, token: str | None) -> bool:
        """A positional button shown for an earlier position of the diagnostic (or forged)."""
        return (
            token is not None
            and choice_id.partition(":")[0] in POSITIONAL
            and token != position_token(conv)
        )

    # --- the routes that belong to no single flow ---------------------------------------------

    async def summary_command(self, turn: Turn, arg: str) -> None:
        turn.conversation.awaiting = Awaiting.NOTHING
        await self._show_summary(turn)

    async def _show_summary(self, turn: Turn) -> None:
        """The latest summary with the peers line (how clusters at the same step do)."""
        last, peers = turn.conversation.journey.last, ""
        if last is not None:
            peers = await self.consent.peers_line(turn, score(self.content, last.answers).position)
        self.assessment.latest_summary(turn, peers)

    async def _summary(self, turn: Turn, _done: AssessmentCompleted) -> None:
        """The summary of an assessment just completed, unless a workshop waits for it (the
        participant's step is proposed instead)."""
        if not waiting_for_step(turn.conversation):
            await self._show_summary(turn)

    async def _ask_consent(self, turn: Turn, done: AssessmentCompleted) -> None:
        """After a summary of the user's own (not a team's, not a workshop's detour), ask once
        whether they share it for the regional picture."""
        if done.team is None and not waiting_for_step(turn.conversation):
            await self.consent.ask_once(turn)

    async def privacy_command(self, turn: Turn, arg: str) -> None:
        """What is stored, and in the same message whether the user shares for the regional
        picture, with the button that changes it."""
        await privacy.privacy_command(turn, arg, await self.consent.privacy_reply(turn))

    async def start_command(self, turn: Turn, payload: str) -> None:
        for key, route in self.routes.starts.items():
            if payload == key or (key.endswith("_") and payload.startswith(key)):
                await route(turn, payload.removeprefix(key) if key.endswith("_") else "")
                return
        conv = turn.conversation
        conv.awaiting = Awaiting.NOTHING
        turn.say(menu.welcome_reply(self.content, conv, self.assessment.in_progress(conv)))

    async def _menu_choice(self, turn: Turn, value: str) -> bool:
        command = MENU.get(value)
        if command is None:
            return False
        await self.command(turn, command, "")
        return True

    async def _language_choice(self, turn: Turn, lang: str) -> bool:
        if not menu.set_language(turn, lang):
            return False
        with use_language(lang):
            turn.say(self.prompt(turn))
        return True

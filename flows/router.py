"""The one routing table: which flow answers a button, a command, a `/start` link or free text.

A button's id is `kind:value`; its kind names the flow that owns it. A command goes to the flow
of its name, a `/start` payload to the flow of its prefix, and free text to the flow that
asked for it (`ConversationState.awaiting`). Adding a kind of button, a command or a flow is
one entry here. `Router.handle` runs one Turn in the user's language.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

from flows import menu, privacy
from flows.actionplan.dialogue import Plans
from flows.content_model import Content
from flows.guide import Guide, glossary_prompt
from flows.i18n import _, use_language
from flows.journey.assessment import Assessment, position_token
from flows.messages import Event, Reply
from flows.regional.consent import KIND, Consent
from flows.reminders.dialogue import Reminders
from flows.scoring import score
from flows.state import Awaiting, ConversationState
from flows.team.dialogue import TEAM_PREFIX, Teams
from flows.turn import Turn
from flows.workshop.codes import INVITE_PREFIX, LINK_PREFIX
from flows.workshop.facilitator import Facilitation
from flows.workshop.participant import Participation, waiting_for_step

ChoiceRoute = Callable[[Turn, str], Awaitable[bool]]  # (turn, value) → handled?
CommandRoute = Callable[[Turn, str], Awaitable[None]]  # (turn, argument)
TextRoute = Callable[[Turn, str], Awaitable[bool]]  # (turn, text) → understood?

# Buttons of these kinds act on the diagnostic's position: they are valid only while the
# position they were shown for is current (see `position_token`). Other buttons are stateless.
POSITIONAL = frozenset({"ans", "nav", "mode"})
# The main menu's buttons stand for commands.
MENU = {"assess": "assess", "steps": "steps", "glossary": "glossary", "summary": "summary",
        "plan": "plan", "team": "team",
        "workshop": "workshop", "language": "language", "help": "help",
        "home": "start"}  # fmt: skip


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
        self.assessment = Assessment(content, summary_elsewhere=waiting_for_step)
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
            commands={
                "start": self._start_command,
                "assess": a.assess_command,
                "summary": self._summary_command,
                "plan": pl.plan_command,
                "steps": g.steps_command,
                "glossary": g.glossary_command,
                "workshop": f.workshop_command,
                "team": t.team_command,
                "remind": r.remind_command,
                "language": menu.language_command,
                "help": menu.help_command,
                "privacy": self._privacy_command,
                "delete": privacy.delete_command,
            },
            starts={
                "assess": a.assess_command,
                "steps": g.steps_command,
                "glossary": g.glossary_command,
                LINK_PREFIX: p.join_start,
                INVITE_PREFIX: f.invite_start,
                TEAM_PREFIX: t.invite_start,
            },
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

    # --- running one event ------------------------------------------------------------------

    async def handle(self, turn: Turn, event: Event) -> None:
        with use_language(turn.conversation.lang):
            if event.kind == "command":
                await self.command(turn, event.value.lower(), event.arg.strip())
            elif event.kind == "choice":
                kind, _sep, value = event.value.partition(":")
                route = self.routes.choices.get(kind)
                if route is None or not await route(turn, value):
                    turn.say(Reply(_("That button is no longer active.")), self.prompt(turn))
            else:
                route = self.routes.texts.get(turn.conversation.awaiting)
                if route is None or not await route(turn, event.value):
                    turn.say(
                        Reply(_("I didn't catch that. Use the buttons, or send /help.")),
                        self.prompt(turn),
                    )
            if turn.completed is not None:
                own = turn.completed.team is None and not waiting_for_step(turn.conversation)
                self.participation.after_assessment(turn)
                await self.teams.after_assessment(turn)
                await self.consent.after_summary(turn, turn.completed.position, ask=own)

    async def command(self, turn: Turn, name: str, arg: str) -> None:
        route = self.routes.commands.get(name)
        if route is None:
            turn.say(
                Reply(_("Sorry, I don't know that command. Send /help to see what I can do.")),
                self.prompt(turn),
            )
            return
        await route(turn, arg)

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

    async def _summary_command(self, turn: Turn, arg: str) -> None:
        await self.assessment.summary_command(turn, arg)
        last = turn.conversation.journey.last
        if last is not None:  # the peers line, as under a summary just made
            position = score(self.content, last.answers).position
            await self.consent.after_summary(turn, position, ask=False)

    async def _privacy_command(self, turn: Turn, arg: str) -> None:
        """What is stored, and in the same message whether the user shares for the regional
        picture, with the button that changes it."""
        await privacy.privacy_command(turn, arg)
        shown, regional = turn.replies[-1], await self.consent.privacy_reply(turn)
        turn.replies[-1] = replace(
            shown,
            text=f"{shown.text}\n\n{regional.text}",
            choices=(*shown.choices, *regional.choices),
        )

    async def _start_command(self, turn: Turn, payload: str) -> None:
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

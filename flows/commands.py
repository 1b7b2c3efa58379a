"""The command registry: every command once, with its descriptions, the flow that answers it, its
`/start` links, its main-menu button and what a group gets.

Made from it: the router's command and `/start` routes (`flows/router.py`), the help text, the
command menus a channel offers (in each language), the links a group gets and the terminal's
`/help`. Adding a command is one entry in `COMMANDS` and its handler; `/help` and the menus list
it once it has a `help` line and a `menu` description (both `N_`, translated when shown).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from flows import menu, privacy
from flows.actionplan.dialogue import Plans
from flows.channel import Channel
from flows.content_model import Content
from flows.guide import Guide
from flows.i18n import N_, _
from flows.journey.assessment import Assessment
from flows.messages import Choice, Reply
from flows.mydata import MyData
from flows.reminders.dialogue import Reminders
from flows.team.dialogue import TEAM_PREFIX, Teams
from flows.turn import Turn
from flows.workshop.codes import INVITE_PREFIX, LINK_PREFIX, join_command, join_payload
from flows.workshop.facilitator import Facilitation
from flows.workshop.participant import Participation
from flows.workshop.port import WorkshopInfo

CommandRoute = Callable[[Turn, str], Awaitable[None]]  # (turn, argument)
HELP_TAG = "help"  # lets a channel add the commands of its own (the terminal's /quit)
QUIT = ("quit", "exit")  # the terminal's own command: it ends the chat, the flows never see it


class CommandFlows(Protocol):
    """The flows a command's route is found in: the router's (`Router` is one)."""

    @property
    def content(self) -> Content: ...
    @property
    def assessment(self) -> Assessment: ...
    @property
    def guide(self) -> Guide: ...
    @property
    def participation(self) -> Participation: ...
    @property
    def facilitation(self) -> Facilitation: ...
    @property
    def reminders(self) -> Reminders: ...
    @property
    def plans(self) -> Plans: ...
    @property
    def teams(self) -> Teams: ...

    async def start_command(self, turn: Turn, payload: str) -> None: ...
    async def summary_command(self, turn: Turn, arg: str) -> None: ...
    async def privacy_command(self, turn: Turn, arg: str) -> None: ...


Route = Callable[[CommandFlows], CommandRoute]  # where, among the flows, the handler is


@dataclass(frozen=True)
class Start:
    """A `/start` payload that runs a flow: exactly `payload`, or with a payload ending in "_"
    every payload it begins (the handler gets the rest). No route: the command's own."""

    payload: str
    route: Route | None = None


@dataclass(frozen=True)
class Command:
    """One command. No command runs in a group (a user's answers never appear there): a group
    gets a link to continue in a private chat that starts with `group_payload`; with
    `group_join`, a facilitator with an open workshop gets its join button instead."""

    name: str
    route: Route
    help: str = ""  # its line in /help (N_); "" when /help does not list it
    menu: str = ""  # its description in the channels' command menus (N_); "" when not listed
    button: str = ""  # the main menu's `menu:<button>` that runs it; "" when none does
    starts: tuple[Start, ...] = ()
    group_payload: str = ""
    group_join: bool = False


COMMANDS = (
    Command(
        "start",
        lambda f: f.start_command,
        menu=N_("Welcome and main menu"),
        button="home",
    ),
    Command(
        "assess",
        lambda f: f.assessment.assess_command,
        help=N_("/assess – start or continue the self-assessment"),
        menu=N_("Start or continue the self-assessment"),
        button="assess",
        starts=(Start("assess"),),
        group_payload="assess",
    ),
    Command(
        "summary",
        lambda f: f.summary_command,
        help=N_("/summary – your latest readiness summary"),
        menu=N_("Your latest readiness summary"),
        button="summary",
        group_payload="assess",
    ),
    Command(
        "plan",
        lambda f: f.plans.plan_command,
        help=N_("/plan – your action plan as PDF and Markdown, with owners and dates"),
        menu=N_("Your action plan (PDF and Markdown)"),
        button="plan",
    ),
    Command(
        "steps",
        lambda f: f.guide.steps_command,
        help=N_("/steps – browse the ten steps of the journey"),
        menu=N_("Browse the ten steps of the journey"),
        button="steps",
        starts=(Start("steps"),),
        group_payload="steps",
    ),
    Command(
        "glossary",
        lambda f: f.guide.glossary_command,
        help=N_("/glossary – look up a term"),
        menu=N_("Look up a term"),
        button="glossary",
        starts=(Start("glossary"),),
        group_payload="glossary",
    ),
    Command(
        "workshop",
        lambda f: f.facilitation.workshop_command,
        help=N_("/workshop – create or join a workshop"),
        menu=N_("Create or join a workshop"),
        button="workshop",
        starts=(
            Start(LINK_PREFIX, lambda f: f.participation.join_start),
            Start(INVITE_PREFIX, lambda f: f.facilitation.invite_start),
        ),
        group_join=True,
    ),
    Command(
        "team",
        lambda f: f.teams.team_command,
        help=N_("/team – colleagues answer for your cluster too; the combined result"),
        menu=N_("A team of colleagues answers for your cluster"),
        button="team",
        starts=(Start(TEAM_PREFIX, lambda f: f.teams.invite_start),),
    ),
    Command(
        "remind",
        lambda f: f.reminders.remind_command,
        help=N_("/remind – your reminders"),
        menu=N_("Your reminders"),
    ),
    Command(
        "language",
        lambda f: menu.language_command,
        help=N_("/language – switch between Swedish and English"),
        menu=N_("Svenska / English"),
        button="language",
    ),
    Command(
        "privacy",
        lambda f: f.privacy_command,
        help=N_("/privacy – what is stored about you; /delete – erase it"),  # /delete's too
        menu=N_("What is stored about you"),
    ),
    Command(
        "mydata",
        lambda f: MyData(f.content).mydata_command,
        help=N_("/mydata – a copy of everything stored about you (JSON and a document)"),
        menu=N_("A copy of your data"),
    ),
    Command("delete", lambda f: privacy.delete_command, menu=N_("Erase your data")),
    Command(
        "help",
        lambda f: help_command,
        help=N_("/help – this help"),
        menu=N_("What the bot can do"),
        button="help",
    ),
)
BY_NAME = {c.name: c for c in COMMANDS}
BY_BUTTON = {c.button: c.name for c in COMMANDS if c.button}  # main-menu button → command


def command_routes(flows: CommandFlows) -> dict[str, CommandRoute]:
    """Command name → its handler."""
    return {c.name: c.route(flows) for c in COMMANDS}


def start_routes(flows: CommandFlows) -> dict[str, CommandRoute]:
    """`/start` payload (or prefix ending in "_") → its handler."""
    return {
        s.payload: (s.route or c.route)(flows) for c in COMMANDS for s in c.starts
    }  # fmt: skip


def menu_entries() -> list[tuple[str, str]]:
    """The command menu in the current language: (name, description) in the registry's order."""
    return [(c.name, _(c.menu)) for c in COMMANDS if c.menu]


def help_reply() -> Reply:
    return Reply(
        "\n".join([_("What I can do:"), *(_(c.help) for c in COMMANDS if c.help)]),
        tag=HELP_TAG,
    )


async def help_command(turn: Turn, _arg: str) -> None:
    turn.say(help_reply())


def terminal_help() -> str:
    """What the terminal's /help adds: its own command, and how typed text meets the buttons."""
    return "\n".join(
        [
            _("/quit – end the chat (your answers are kept)"),
            _(
                "When I ask you to write something, whatever you type is the answer: "
                "Enter alone presses the first button, #2 the second, and so on."
            ),
        ]
    )


async def group_reply(
    name: str,
    channel: Channel,
    facilitated: Callable[[], Awaitable[Sequence[WorkshopInfo]]],
    join_page: Callable[[str], Awaitable[str | None]] | None = None,
) -> Reply:
    """What a command sent in a group gets (any name, known or not): a link to continue in a
    private chat; for a facilitator's /workshop, the join button of their open workshop: its
    join page (`join_page`, the port's) where there is one, else the channel's link, else the
    command to send. `facilitated` gives the sender's workshops (asked only then)."""
    command = BY_NAME.get(name)
    if command is not None and command.group_join:
        workshop = next((w for w in await facilitated() if not w.closed), None)
        if workshop is not None:
            return await _group_join(workshop, channel, join_page)
    text = _("Let's continue in a private chat, so that your answers stay yours.")
    link = channel.start_link(command.group_payload if command is not None else "")
    return _with_link(text, _("Open a private chat"), link)


async def _group_join(
    workshop: WorkshopInfo,
    channel: Channel,
    join_page: Callable[[str], Awaitable[str | None]] | None,
) -> Reply:
    page = await join_page(workshop.code) if join_page is not None else None
    if page is not None:
        text = _(
            "Join the workshop “{title}”: press the button and answer in your browser or in "
            "a private chat. Only the combined results are shown."
        )
        return _with_link(text.format(title=workshop.title), _("Join the workshop"), page)
    link = channel.start_link(join_payload(workshop.code))
    if link is not None:
        text = _(
            "Join the workshop “{title}”: press the button and answer in a private "
            "chat. Only the combined results are shown."
        )
        return _with_link(text.format(title=workshop.title), _("Join the workshop"), link)
    text = _(
        "Join the workshop “{title}”: send me {command} in a private chat. Only the combined "
        "results are shown."
    )
    return Reply(text.format(title=workshop.title, command=join_command(workshop.code)))


def _with_link(text: str, label: str, url: str | None) -> Reply:
    return Reply(text, (Choice("", label, url=url),) if url else ())

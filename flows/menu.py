"""The welcome, the main menu, the language switch and the help: where every user starts."""

from __future__ import annotations

from flows.content_model import Content
from flows.i18n import _, current_language, use_language
from flows.messages import Choice, Reply
from flows.state import ConversationState
from flows.turn import Turn

HELP_TAG = "help"  # lets a channel add the commands of its own (the terminal's /quit)


def menu_choices(conv: ConversationState, in_progress: bool) -> tuple[Choice, ...]:
    first = _("Continue the self-assessment") if in_progress else _("Start the self-assessment")
    choices = [Choice("menu:assess", first), Choice("menu:steps", _("Browse the ten steps"))]
    if conv.journey.last is not None:
        choices.append(Choice("menu:summary", _("My latest summary")))
        choices.append(Choice("menu:plan", _("My action plan")))
    choices += [
        Choice("menu:glossary", _("Glossary")),
        Choice("menu:workshop", _("Workshops")),
        Choice("menu:team", _("Team for your cluster")),
        Choice("menu:language", _("Språk / Language")),
        Choice("menu:help", _("Help")),
    ]
    return tuple(choices)


def menu_reply(conv: ConversationState, in_progress: bool) -> Reply:
    return Reply(_("What would you like to do?"), menu_choices(conv, in_progress))


def welcome_reply(content: Content, conv: ConversationState, in_progress: bool) -> Reply:
    text = "\n\n".join(
        [
            _("Welcome to Cluster Journey!"),
            content.about.get(current_language()),
            _(
                "Start with a self-assessment: answer a few questions per step and get a "
                "readiness summary with your next actions."
            ),
        ]
    )
    return Reply(text, menu_choices(conv, in_progress))


def language_reply() -> Reply:
    return Reply(
        _("Choose your language:"),
        (Choice("lang:sv", "Svenska"), Choice("lang:en", "English")),
        rows=(2,),
    )


def help_reply() -> Reply:
    return Reply(
        "\n".join(
            [
                _("What I can do:"),
                _("/assess – start or continue the self-assessment"),
                _("/summary – your latest readiness summary"),
                _("/plan – your action plan as PDF and Markdown, with owners and dates"),
                _("/steps – browse the ten steps of the journey"),
                _("/glossary – look up a term"),
                _("/workshop – create or join a workshop"),
                _("/team – colleagues answer for your cluster too; the combined result"),
                _("/remind – your reminders"),
                _("/language – switch between Swedish and English"),
                _("/privacy – what is stored about you; /delete – erase it"),
                _("/help – this help"),
            ]
        ),
        tag=HELP_TAG,
    )


async def language_command(turn: Turn, _arg: str) -> None:
    turn.say(language_reply())


async def help_command(turn: Turn, _arg: str) -> None:
    turn.say(help_reply())


def set_language(turn: Turn, lang: str) -> bool:
    """Switch the conversation's language; the confirmation is in the new language."""
    if lang not in ("sv", "en"):
        return False
    turn.conversation.lang = lang
    with use_language(lang):
        turn.say(Reply(_("I will speak English from now on.")))
    return True

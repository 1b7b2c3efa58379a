"""The welcome, the main menu and the language switch: where every user starts (the help is
made from the command registry, `flows/commands.py`)."""

from __future__ import annotations

from flows.content_model import Content
from flows.i18n import _, current_language, use_language
from flows.locales import codes, languages
from flows.messages import Choice, Reply
from flows.state import ConversationState
from flows.turn import Turn


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
        tuple(Choice(f"lang:{language.code}", language.native) for language in languages()),
        rows=(len(languages()),),
    )


async def language_command(turn: Turn, _arg: str) -> None:
    turn.say(language_reply())


def set_language(turn: Turn, lang: str) -> bool:
    """Switch the conversation's language; the confirmation is in the new language."""
    if lang not in codes():
        return False
    turn.conversation.lang = lang
    with use_language(lang):
        turn.say(Reply(_("I will speak English from now on.")))
    return True

"""The command registry (`flows/commands.py`): the routes, /help, the command menus, the main
menu's buttons and the groups' answers all come from its entries, and agree."""

from __future__ import annotations

import asyncio
import re

import pytest

from flows import commands, menu, notices
from flows.i18n import use_language
from flows.journey.state import Assessed
from flows.messages import Event
from flows.router import Router
from flows.state import ConversationState
from flows.workshop.port import WorkshopInfo
from tests.helpers import Engine


@pytest.fixture(scope="module")
def engine(content):
    return Engine(Router(content))


def test_every_command_is_routed_and_every_start_payload_too(content):
    routes = Router(content).routes
    assert set(routes.commands) == {c.name for c in commands.COMMANDS}
    payloads = [s.payload for c in commands.COMMANDS for s in c.starts]
    assert list(routes.starts) == payloads
    assert {"assess", "steps", "glossary", "ws_", "wf_", "tm_"} == set(payloads)


def test_every_main_menu_button_runs_a_registered_command():
    conv = ConversationState()
    conv.journey.last = Assessed({}, "quick", 0.0)  # a completed one: the summary and plan buttons
    buttons = [c.id.removeprefix("menu:") for c in menu.menu_choices(conv, in_progress=False)]
    assert set(buttons) <= set(commands.BY_BUTTON)
    assert commands.BY_BUTTON["home"] == "start"
    assert all(name in commands.BY_NAME for name in commands.BY_BUTTON.values())


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_help_lists_each_command_with_a_help_line_under_its_own_name(lang):
    with use_language(lang):
        lines = commands.help_reply().text.splitlines()
    listed = [c for c in commands.COMMANDS if c.help]
    assert len(lines) == 1 + len(listed)
    for command, line in zip(listed, lines[1:], strict=True):
        assert line.startswith(f"/{command.name} – "), line
    shown = set(re.findall(r"/(\w+) –", "\n".join(lines)))
    assert shown == {c.name for c in commands.COMMANDS} - {"start"}  # /delete in privacy's


def test_the_command_menus_are_the_registry_in_each_language():
    with use_language("en"):
        english = commands.menu_entries()
    with use_language("sv"):
        swedish = commands.menu_entries()
    names = [c.name for c in commands.COMMANDS if c.menu]
    assert [n for n, _d in english] == [n for n, _d in swedish] == names
    assert ("glossary", "Look up a term") in english
    assert dict(swedish)["glossary"] != "Look up a term"  # translated


class Links:
    """A channel whose links open the bot with a payload."""

    def start_link(self, payload: str) -> str | None:
        return f"https://example.org/open?start={payload}"

    @property
    def reminder_chat(self) -> int | None:
        return None


class NoLinks(Links):
    def start_link(self, payload: str) -> str | None:
        return None


def _workshop(closed: bool) -> WorkshopInfo:
    return WorkshopInfo(
        id=1, code="ABC234", invite="inv", title="Spring", owner="tg:1", closed=closed
    )


def _group(name: str, channel: Links, workshops: list[WorkshopInfo], lang: str = "en"):
    asked = []

    async def facilitated() -> list[WorkshopInfo]:
        asked.append(name)
        return workshops

    with use_language(lang):
        reply = asyncio.run(commands.group_reply(name, channel, facilitated))
    return reply, asked


def test_a_command_in_a_group_gets_a_link_to_its_own_start_in_private():
    reply, asked = _group("summary", Links(), [])
    assert reply.text == "Let's continue in a private chat, so that your answers stay yours."
    [button] = reply.choices
    assert (button.label, button.url) == ("Open a private chat", Links().start_link("assess"))
    assert asked == []  # only /workshop asks for the sender's workshops
    unknown, _asked = _group("nonsense", Links(), [])
    assert unknown.choices[0].url == Links().start_link("")
    assert _group("assess", NoLinks(), [])[0].choices == ()  # no link, no button


def test_a_facilitators_workshop_command_in_a_group_posts_the_join_button():
    reply, asked = _group("workshop", Links(), [_workshop(closed=True), _workshop(False)], "sv")
    assert asked == ["workshop"] and "Spring" in reply.text
    assert reply.choices[0].url == Links().start_link("ws_ABC234")
    closed_only, _asked = _group("workshop", Links(), [_workshop(closed=True)])
    assert closed_only.choices[0].label == "Open a private chat"


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_opening_a_chat_sets_the_language_asked_for_and_shows_where_the_user_is(engine, lang):
    conv = ConversationState(lang="en")
    turn = engine.handle(conv, Event("open", lang), 1_700_000_000.0)
    assert conv.lang == lang
    with use_language(lang):
        welcome = menu.welcome_reply(engine.content, conv, in_progress=False).text
    assert turn.replies[0].text == welcome
    engine.handle(conv, Event("command", "assess"), 1_700_000_001.0)
    engine.handle(conv, Event("choice", "mode:quick"), 1_700_000_002.0)
    again = engine.handle(conv, Event("open", ""), 1_700_000_003.0)
    question = engine.content.step(1).key_question.text.get(lang)
    assert question in again.replies[-1].text and conv.lang == lang


def test_a_stale_button_is_answered_in_the_same_words_everywhere(engine):
    conv = ConversationState(lang="sv")
    turn = engine.handle(conv, Event("choice", "nosuchkind:1"), 1_700_000_000.0)
    with use_language("sv"):
        assert turn.replies[0].text == notices.stale_button() == "Den knappen är inte längre aktiv."

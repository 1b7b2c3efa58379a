"""The terminal chat: the same conversations as the bot, in a shell (and with piped input).

Choices are numbered; the user answers with a number, a choice's text or a command. While a
reply asks for free text (`Reply.expects_text`, e.g. a workshop challenge), whatever is typed is
that text, even "1" or "Done": Enter alone presses the first button, "#2", "#3" … the others.
Charts and exports are written to files whose paths are printed; a link button is printed as
its link. A terminal has no links that open the bot and no reminders (`PLAIN` channel): the
flows say so. Every event, the chat's opening too (`Event("open")`), goes through the
`EventRunner`; every sentence shown comes from flows/.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import TextIO

from platformdirs import user_data_dir
from sqlalchemy.exc import SQLAlchemyError

from bot.events import PLAIN, EventRunner
from bot.logs import first_line
from bot.render import drawn
from flows.commands import HELP_TAG, QUIT, terminal_help
from flows.i18n import use_language
from flows.locales import DEFAULT
from flows.messages import Choice, Event, Reply, parse_command
from flows.notices import choose_number, enter_key, goodbye, saved_to, went_wrong

MAX_LINE = 4096
PRESS = "#"  # "#2" presses button 2, also while a reply waits for free text


class TerminalChat:
    def __init__(
        self,
        events: EventRunner,
        user: str,
        lang: str | None,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        files: Path | None = None,
    ) -> None:
        self.events = events
        self.user_id = f"cli:{user}"
        self.user = user
        self.requested_lang = lang
        self.stdin = stdin or sys.stdin  # the process's streams as they are now
        self.stdout = stdout or sys.stdout
        self.files = files or Path(user_data_dir("cluster-journey", appauthor=False)) / "charts"
        self.choices: list[Choice] = []  # the latest buttons that answer (links apart)
        self.expects_text = False  # the latest reply asks for free text
        self.lang = lang or DEFAULT.code

    def say(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    async def run(self) -> int:
        await self.send(Event("open", self.requested_lang or ""))
        while True:
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:  # end of input
                break
            if not await self.receive(line.rstrip("\r\n")):
                break
        try:
            conv = (await self.events.record(self.user_id)).conversation
            saved = bool(conv.journey.answers) or conv.journey.last is not None
        except (SQLAlchemyError, OSError):  # said already, when the answer failed
            saved = False
        with use_language(self.lang):
            self.say(goodbye(saved))
        return 0

    async def receive(self, line: str) -> bool:
        """Handle one line of input; False when the user wants to quit."""
        line = line[:MAX_LINE]
        text = line.strip()
        if text.lower() in {f"/{name}" for name in QUIT}:
            return False
        command = parse_command(text) if text.startswith("/") else None
        if command is not None:
            await self.send(command)
            return True
        if self.expects_text:
            return await self.receive_text(text)
        if text.startswith(PRESS) and text[1:].isdigit():  # "#2" works at every question
            text = text[1:]
        if text.isdigit() and self.choices:
            number = int(text)
            if not 1 <= number <= len(self.choices):
                with use_language(self.lang):
                    self.say(choose_number(len(self.choices)))
                self.show_choices()
                return True
            await self.send(Event("choice", self.choices[number - 1].id))
            return True
        chosen = next(
            (
                c
                for n, c in enumerate(self.choices, start=1)
                if text.casefold() in (c.label.casefold(), _label(n, c).casefold())
            ),
            None,
        )
        await self.send(Event("choice", chosen.id) if chosen else Event("text", text))
        return True

    async def receive_text(self, text: str) -> bool:
        """A line while the bot waits for free text: the text itself, so a challenge may read
        "1" or "Done"; Enter alone presses the first button, "#N" button N."""
        number = text.removeprefix(PRESS)
        if not text and self.choices:
            await self.send(Event("choice", self.choices[0].id))
        elif text.startswith(PRESS) and number.isdigit() and 1 <= int(number) <= len(self.choices):
            await self.send(Event("choice", self.choices[int(number) - 1].id))
        else:
            await self.send(Event("text", text))
        return True

    async def send(self, event: Event) -> None:
        try:
            handled = await self.events.handle(self.user_id, event, PLAIN, lang=self.lang)
            self.lang = handled.lang
            for reply in handled.replies:
                await self.show(reply)
        except (SQLAlchemyError, OSError) as exc:
            # a full disk or a damaged file: this event was rolled back whole and what was
            # saved before stays; say so and carry on, so the answer can be given again
            with use_language(self.lang):
                self.say(went_wrong())
            print(f"The database could not be written: {first_line(exc)}", file=sys.stderr)

    async def show(self, reply: Reply) -> None:
        self.say()
        if reply.attachment is not None:
            data = await drawn(reply.attachment)
            self.files.mkdir(parents=True, exist_ok=True)
            safe_user = re.sub(r"[^A-Za-z0-9_-]", "_", self.user)
            path = self.files / f"{safe_user}-{reply.attachment.filename}"
            path.write_bytes(data)
            if reply.text.strip():  # the caption on its own line, whatever it ends with
                self.say(reply.text)
            with use_language(self.lang):
                self.say(saved_to(str(path)))
            return
        self.say(reply.text)
        if reply.tag == HELP_TAG:  # the terminal's own command
            with use_language(self.lang):
                self.say(terminal_help())
        for link in (c for c in reply.choices if c.url):  # a link opens elsewhere: shown
            self.say(f"{link.label}: {link.url}")
        # numbers refer to the latest buttons only
        self.choices = [c for c in reply.choices if not c.url]
        self.expects_text = reply.expects_text
        self.show_choices()

    def show_choices(self) -> None:
        if self.expects_text:  # typed text is the answer: Enter and #N press the buttons
            with use_language(self.lang):
                enter = enter_key()
            for number, choice in enumerate(self.choices, start=1):
                key = enter if number == 1 else f"{PRESS}{number}"
                self.say(f"  {key}) {_label(number, choice)}")
            return
        for number, choice in enumerate(self.choices, start=1):
            self.say(f"  {number}) {_label(number, choice)}")


def _label(number: int, choice: Choice) -> str:
    """A choice's label under its number: "1) Why internationalise", not "1) 1. Why…"."""
    return choice.label.removeprefix(f"{number}. ")

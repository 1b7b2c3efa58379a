"""Workshops: facilitators create them and see live results; participants join by code, link or
QR and answer the three group questions. Orchestrates the pure participant flow
(`flows.workshop`), the results (`flows.workshop_results`) and the tables (`workshop_store`)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from functools import partial

from bot import workshop_store as store
from bot.storage import Storage
from bot.workshop_store import WorkshopRow
from flows.content_model import Content
from flows.conversation import Engine
from flows.diagnostic import MODE
from flows.i18n import _, current_language
from flows.messages import Attachment, Choice, Event, Reply
from flows.state import ConversationState
from flows.workshop import QUICK, ParticipantFlow
from flows.workshop_results import (
    ParticipantAnswers,
    aggregate,
    distribution_chart,
    export_csv,
    join_link,
    normalise_code,
    qr_png,
    results_text,
)

MAX_WRONG_CODES = 10  # per user and hour
MAX_TITLE = 120
RESULTS_TAG = "ws-results:"  # Reply.tag of a results message: the adapter keeps it up to date


@dataclass
class WorkshopOutcome:
    replies: list[Reply] = field(default_factory=list)
    changed: int | None = None  # a workshop whose results changed


def is_workshop_event(event: Event, state: ConversationState) -> bool:
    if event.kind == "command":
        return event.value == "workshop" or (
            event.value == "start" and event.arg.startswith(("ws_", "wf_")))
    if event.kind == "choice":
        return event.value.startswith(("ws:", "wsf:"))
    return state.flow.startswith("workshop")


class Workshops:
    def __init__(self, content: Content, storage: Storage, engine: Engine,
                 rng: random.Random | None = None) -> None:
        self.content = content
        self.storage = storage
        self.engine = engine
        self.flow = ParticipantFlow(content)
        self.rng = rng

    async def handle(self, user_id: str, state: ConversationState, event: Event, now: float,
                     bot_username: str | None) -> WorkshopOutcome:
        out = WorkshopOutcome()
        if event.kind == "command":
            await self._command(user_id, state, event, now, bot_username, out)
        elif event.value.startswith("wsf:"):
            await self._facilitator_choice(user_id, state, event.value, now, bot_username, out)
        elif event.kind == "text" and state.flow == "workshop-title":
            await self._create(user_id, state, event.value, now, bot_username, out)
        elif event.kind == "text" and state.flow == "workshop-join":
            await self._join(user_id, state, event.value, now, out)
        else:
            await self._participant(user_id, state, event, now, out)
        return out

    # --- commands ---------------------------------------------------------------------------

    async def _command(self, user_id: str, state: ConversationState, event: Event, now: float,
                       bot_username: str | None, out: WorkshopOutcome) -> None:
        arg = event.arg.strip()
        if event.value == "start" and arg.startswith("wf_"):
            await self._become_facilitator(user_id, arg[3:], bot_username, out)
        elif event.value == "start":
            await self._join(user_id, state, arg, now, out)
        elif arg.lower().startswith("join"):
            code = arg[4:].strip()
            if code:
                await self._join(user_id, state, code, now, out)
            else:
                state.flow = "workshop-join"
                out.replies.append(Reply(_("Type the workshop's join code (six characters).")))
        else:
            state.flow = "menu"
            out.replies.append(self._menu(state))

    def _menu(self, state: ConversationState) -> Reply:
        choices = [Choice("wsf:new", _("Create a workshop")), Choice("wsf:list", _("My workshops")),
                   Choice("wsf:join", _("Join with a code"))]
        current = state.workshop
        if current and current.get("stage") not in ("done", None):
            choices.insert(0, Choice("ws:resume", _("Back to “{title}”").format(
                title=current["title"])))
        return Reply(
            "\n\n".join([_("Workshops: the facilitator asks, everyone answers from their phone, "
                           "and the room sees the combined results."),
                         _("To join a workshop, open the facilitator's link, scan the QR code "
                           "or send /workshop join followed by the code.")]), tuple(choices))

    # --- facilitator ------------------------------------------------------------------------

    async def _facilitator_choice(self, user_id: str, state: ConversationState, choice: str,
                                  now: float, bot_username: str | None,
                                  out: WorkshopOutcome) -> None:
        action, _sep, value = choice.removeprefix("wsf:").partition(":")
        if action == "new":
            state.flow = "workshop-title"
            out.replies.append(Reply(_("What is the workshop called? Send its title, e.g. "
                                       "“Skåne clusters, 12 March”.")))
            return
        if action == "join":
            state.flow = "workshop-join"
            out.replies.append(Reply(_("Type the workshop's join code (six characters).")))
            return
        if action == "list":
            state.flow = "menu"
            out.replies.append(await self._list(user_id))
            return
        workshop = await store.by_id(self.storage, int(value)) if value.isdigit() else None
        if workshop is None or action not in ("open", "chart", "csv", "close", "reopen",
                                              "invite", "qr"):
            out.replies.append(Reply(_("That button is no longer active.")))
            return
        if not await store.is_facilitator(self.storage, workshop.id, user_id):
            out.replies.append(Reply(_("Only the workshop's facilitators can do that.")))
            return
        state.flow = "menu"
        if action in ("close", "reopen"):
            await store.set_closed(self.storage, workshop.id, action == "close")
            workshop = replace(workshop, closed=action == "close")
            out.replies.append(Reply(_("The workshop is closed: no more answers, and the "
                                       "results stay.") if workshop.closed else
                                     _("The workshop is open again for answers.")))
            out.changed = workshop.id
        if action in ("open", "close", "reopen"):
            out.replies.append(await self.results_reply(workshop))
        elif action == "chart":
            out.replies.append(await self._chart(workshop))
        elif action == "csv":
            out.replies.append(await self._csv(workshop))
        elif action == "qr":
            out.replies.extend(self._join_replies(workshop, bot_username))
        elif action == "invite":
            out.replies.append(self._invite(workshop, bot_username))

    async def _create(self, user_id: str, state: ConversationState, text: str, now: float,
                      bot_username: str | None, out: WorkshopOutcome) -> None:
        title = " ".join(text.split())[:MAX_TITLE]
        if not title:
            out.replies.append(Reply(_("Send the workshop's title as a message.")))
            return
        state.flow = "menu"
        workshop = await store.create(self.storage, user_id, title, now, self.rng)
        out.replies.extend(self._join_replies(workshop, bot_username))
        out.replies.append(await self.results_reply(workshop))

    def _join_replies(self, workshop: WorkshopRow, bot_username: str | None) -> list[Reply]:
        lines = [_("Workshop “{title}” is open.").format(title=workshop.title), "",
                 _("Join code: {code}").format(code=workshop.code)]
        replies = []
        if bot_username:
            link = join_link(bot_username, workshop.code)
            lines.append(_("Link: {link}").format(link=link))
            replies.append(Reply(_("Scan to join “{title}”").format(title=workshop.title),
                                 attachment=Attachment("photo", f"join-{workshop.code}.png",
                                                       partial(qr_png, link))))
        lines.append(_("Or send the bot: /workshop join {code}").format(code=workshop.code))
        return [Reply("\n".join(lines)), *replies]

    def _invite(self, workshop: WorkshopRow, bot_username: str | None) -> Reply:
        if bot_username:
            where = f"https://t.me/{bot_username}?start=wf_{workshop.invite}"
        else:
            where = f"/start wf_{workshop.invite}"
        return Reply(_("Send this to your co-facilitator. Whoever opens it can see the results, "
                       "export them and close the workshop:") + f"\n{where}")

    async def _become_facilitator(self, user_id: str, invite: str, bot_username: str | None,
                                  out: WorkshopOutcome) -> None:
        workshop = await store.by_invite(self.storage, invite)
        if workshop is None:
            out.replies.append(Reply(_("That invitation is not valid.")))
            return
        await store.add_facilitator(self.storage, workshop.id, user_id)
        out.replies.append(Reply(_("You are now a facilitator of “{title}”.").format(
            title=workshop.title)))
        out.replies.append(await self.results_reply(workshop))

    async def _list(self, user_id: str) -> Reply:
        mine = await store.of_facilitator(self.storage, user_id)
        if not mine:
            return Reply(_("You have no workshops yet."),
                         (Choice("wsf:new", _("Create a workshop")),))
        choices = [Choice(f"wsf:open:{w.id}", f"{w.title} ({w.code})"
                          + (" – " + _("closed") if w.closed else "")) for w in mine[:20]]
        return Reply(_("Your workshops:"), tuple(choices))

    async def results_reply(self, workshop: WorkshopRow) -> Reply:
        """The results message, with the facilitator's buttons; the adapter keeps it live."""
        answers = await store.all_answers(self.storage, workshop.id)
        results = aggregate(self.content, answers)
        text = results_text(self.content, workshop.title, workshop.code, results, workshop.closed)
        toggle = Choice(f"wsf:reopen:{workshop.id}", _("Reopen")) if workshop.closed \
            else Choice(f"wsf:close:{workshop.id}", _("Close"))
        return Reply(text, (
            Choice(f"wsf:open:{workshop.id}", _("Refresh")),
            Choice(f"wsf:chart:{workshop.id}", _("Chart")),
            Choice(f"wsf:csv:{workshop.id}", _("Export CSV")),
            toggle,
            Choice(f"wsf:qr:{workshop.id}", _("Join link and QR")),
            Choice(f"wsf:invite:{workshop.id}", _("Add a co-facilitator")),
        ), rows=(3, 1, 2), tag=f"{RESULTS_TAG}{workshop.id}")

    async def _chart(self, workshop: WorkshopRow) -> Reply:
        results = aggregate(self.content, await store.all_answers(self.storage, workshop.id))
        title = _("Where the participants are on the journey")
        return Reply(workshop.title, attachment=Attachment(
            "photo", f"workshop-{workshop.code}.png",
            partial(distribution_chart, self.content, results, title)))

    async def _csv(self, workshop: WorkshopRow) -> Reply:
        answers = await store.all_answers(self.storage, workshop.id)
        data = export_csv(self.content, workshop.title, answers, current_language())
        return Reply(_("{count} participant(s), one row each.").format(count=len(answers)),
                     attachment=Attachment("document", f"workshop-{workshop.code}.csv",
                                           lambda: data))

    # --- participant ------------------------------------------------------------------------

    async def _join(self, user_id: str, state: ConversationState, text: str, now: float,
                    out: WorkshopOutcome) -> None:
        state.flow = "menu"
        if await store.wrong_code_attempts(self.storage, user_id, now - 3600) >= MAX_WRONG_CODES:
            out.replies.append(Reply(_("Too many wrong codes. Please wait an hour, or ask the "
                                       "facilitator for the link.")))
            return
        code = normalise_code(text)
        workshop = await store.by_code(self.storage, code) if code else None
        if workshop is None:
            await store.record_wrong_code(self.storage, user_id, now)
            out.replies.append(Reply(_("I can't find a workshop with that code. Check it with "
                                       "the facilitator and try again.")))
            return
        if workshop.closed:
            out.replies.append(Reply(_("The workshop “{title}” is closed and takes no more "
                                       "answers.").format(title=workshop.title)))
            return
        answers = await store.answer_of(self.storage, workshop.id, user_id) \
            or ParticipantAnswers(None, (), (), (), "", state.lang)
        state.flow = "workshop"
        state.workshop = {"id": workshop.id, "title": workshop.title, "stage": "step"}
        out.replies.append(self.flow.prompt("step", answers, workshop.title))
        await store.save_answer(self.storage, workshop.id, user_id, answers, now)
        out.changed = workshop.id

    async def _participant(self, user_id: str, state: ConversationState, event: Event,
                           now: float, out: WorkshopOutcome) -> None:
        current = state.workshop
        workshop = await store.by_id(self.storage, current["id"]) if current else None
        if current is None or workshop is None:
            state.flow = "menu"
            out.replies.append(Reply(_("That button is no longer active.")))
            return
        if workshop.closed:
            state.flow = "menu"
            out.replies.append(Reply(_("The workshop “{title}” is closed and takes no more "
                                       "answers.").format(title=workshop.title)))
            return
        answers = await store.answer_of(self.storage, workshop.id, user_id) \
            or ParticipantAnswers(None, (), (), (), "", state.lang)
        answers = replace(answers, lang=state.lang)
        turn = self.flow.handle(current["stage"], answers, event, workshop.title)
        current["stage"] = turn.stage
        current["step"] = turn.answers.step  # for reminders of a participant's next steps
        state.flow = "workshop" if turn.stage not in ("done", QUICK) else "menu"
        if turn.changed:
            await store.save_answer(self.storage, workshop.id, user_id, turn.answers, now)
            out.changed = workshop.id
        out.replies.extend(turn.replies)
        if turn.start_quick_check:
            out.replies.extend(self._start_quick_check(state, now))

    def _start_quick_check(self, state: ConversationState, now: float) -> list[Reply]:
        replies = [Reply(_("Let's find out with the quick check: ten questions, about three "
                           "minutes. Afterwards I'll suggest your step."))]
        outcome = self.engine.handle(state, Event("command", "assess"), now)
        if state.state == MODE:
            outcome = self.engine.handle(state, Event("choice", "mode:quick"), now)
        return replies + outcome.replies

    def after_quick_check(self, state: ConversationState, position: int | None) -> list[Reply]:
        """Called when an assessment completes: a participant waiting for it gets a proposal."""
        current = state.workshop
        if not current or current.get("stage") != QUICK:
            return []
        return [self.flow.quick_check_result(position, current["title"])]

"""The facilitator's dialogue: create a workshop, share its code, link and QR code, see the
live results, draw the chart, export the table, close or reopen, invite a co-facilitator.

Workshops are kept through the `Store`; links, and how much a message may hold, come from the
`Channel` (there are no links in the terminal, where the code and `/start` commands stand in for
them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from flows.channel import Channel
from flows.content_model import Content
from flows.events import WorkshopChanged
from flows.i18n import _, current_language, ngettext
from flows.messages import Attachment, Choice, QrCode, Reply, ResultsShown
from flows.notices import invalid_invitation, stale_button
from flows.ports import Stores
from flows.state import Awaiting
from flows.turn import Turn
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.codes import INVITE_PREFIX, join_payload
from flows.workshop.export import export_table
from flows.workshop.moderation import Decision, Moderation, find, moderation_list
from flows.workshop.participant import Participation
from flows.workshop.port import WorkshopInfo, Workshops
from flows.workshop.report import report_attachments
from flows.workshop.results import aggregate, count_chart, results_text, shorten

MAX_TITLE = 120
ACTIONS = (
    "open",
    "refresh",
    "chart",
    "csv",
    "close",
    "reopen",
    "invite",
    "qr",
    "page",
    "newlink",
    "mod",
    "hide",
    "show",
    "filteron",
    "filteroff",
    "reveal",
    "conceal",
    "report",
)
LISTED = 8  # texts in the moderation list
LISTED_CHARS = 120  # of each listed text


async def join_link(workshops: Workshops, channel: Channel, code: str) -> str | None:
    """The link that joins a workshop: its join page, which offers the browser and the chat
    app alike; where phones cannot open that page (no public web address), the channel's own
    link; failing both, the page all the same (it opens on this machine); else None."""
    return (
        await workshops.join_page(code)
        or channel.start_link(join_payload(code))
        or await workshops.join_page(code, local=True)
    )


def _digest(text: str) -> str:
    """What a results message shows, in eight hex digits: its "Refresh" button carries it, so a
    press with nothing new is answered without editing the message to the same text."""
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _back(workshop: WorkshopInfo) -> Choice:
    return Choice(f"wsf:open:{workshop.id}", _("Back to the results"))


def _join_prompt() -> Reply:
    return Reply(_("Type the workshop's join code (six characters)."))


class Facilitation:
    """The facilitator's routes, and the `/workshop` command both roles start from."""

    def __init__(self, content: Content, participation: Participation) -> None:
        self.content = content
        self.participation = participation

    # --- commands ---------------------------------------------------------------------------

    async def workshop_command(self, turn: Turn, arg: str) -> None:
        """`/workshop` (the menu) or `/workshop join [CODE]`."""
        conv = turn.conversation
        if arg.lower().startswith("join"):
            code = arg[4:].strip()
            if code:
                await self.participation.join(turn, code)
            else:
                conv.awaiting = Awaiting.WORKSHOP_CODE
                turn.say(_join_prompt())
            return
        conv.awaiting = Awaiting.NOTHING
        turn.say(self._menu(turn))

    async def invite_start(self, turn: Turn, invite: str) -> None:
        """`/start wf_<invite>`: the invited person becomes a facilitator."""
        workshop = await turn.store.workshops.by_invite(invite)
        if workshop is None:
            turn.say(Reply(invalid_invitation()))
            return
        await turn.store.workshops.add_facilitator(workshop.id, turn.user_id)
        turn.say(
            Reply(_("You are now a facilitator of “{title}”.").format(title=workshop.title)),
            await self._results(turn, workshop),
        )

    def _menu(self, turn: Turn) -> Reply:
        choices = [
            Choice("wsf:new", _("Create a workshop")),
            Choice("wsf:list", _("My workshops")),
            Choice("wsf:join", _("Join with a code")),
        ]
        current = turn.conversation.workshop
        if current and current.stage != "done":
            choices.insert(
                0, Choice("ws:resume", _("Back to “{title}”").format(title=current.title))
            )
        text = "\n\n".join(
            [
                _(
                    "Workshops: the facilitator asks, everyone answers from their phone, and the "
                    "room sees the combined results."
                ),
                _(
                    "To join a workshop, open the facilitator's link, scan the QR code or send "
                    "/workshop join followed by the code."
                ),
            ]
        )
        return Reply(text, tuple(choices))

    # --- buttons and the title --------------------------------------------------------------

    async def choice(self, turn: Turn, value: str) -> bool:
        conv, store = turn.conversation, turn.store
        action, _sep, target = value.partition(":")
        target, _sep, extra = target.partition(":")  # extra: what the button is about
        if action == "new":
            conv.awaiting = Awaiting.WORKSHOP_TITLE
            turn.say(
                Reply(
                    _(
                        "What is the workshop called? Send its title, e.g. “Skåne clusters, "
                        "12 March”."
                    )
                )
            )
            return True
        if action == "join":
            conv.awaiting = Awaiting.WORKSHOP_CODE
            turn.say(_join_prompt())
            return True
        if action == "list":
            conv.awaiting = Awaiting.NOTHING
            turn.say(await self._list(turn))
            return True
        workshop = await store.workshops.get(int(target)) if target.isdigit() else None
        if workshop is None or action not in ACTIONS:
            turn.say(Reply(stale_button()))
            return True
        if not await store.workshops.is_facilitator(workshop.id, turn.user_id):
            turn.say(Reply(_("Only the workshop's facilitators can do that.")))
            return True
        conv.awaiting = Awaiting.NOTHING
        if action == "refresh" and extra == _digest((await self._results(turn, workshop)).text):
            turn.say(Reply(_("No new answers"), brief=True))  # the message shows it all already
            return True
        if action in ("hide", "show", "filteron", "filteroff"):
            await self._moderate(turn, workshop, action, extra)
            return True
        if action in ("reveal", "conceal"):
            await store.workshops.set_revealed(workshop.id, action == "reveal")
            workshop = await store.workshops.get(workshop.id) or workshop
            turn.record(WorkshopChanged(workshop.id))
            turn.say(
                Reply(
                    _("The projector page shows the results.")
                    if workshop.revealed
                    else _("The projector page hides the results; the count of participants stays.")
                )
            )
        if action in ("close", "reopen"):
            await store.workshops.set_closed(workshop.id, action == "close")
            workshop = await store.workshops.get(workshop.id) or workshop  # its new revision
            turn.say(
                Reply(
                    _("The workshop is closed: no more answers, and the results stay.")
                    if workshop.closed
                    else _("The workshop is open again for answers.")
                )
            )
            turn.record(WorkshopChanged(workshop.id))
        if action in ("open", "refresh", "close", "reopen", "reveal", "conceal"):
            turn.say(await self._results(turn, workshop))
        elif action == "mod":
            turn.say(await self._moderation_reply(turn, workshop))
        elif action == "report":
            turn.say(*await self._report(store, workshop, turn.now, turn.timezone))
        elif action == "chart":
            turn.say(await self._chart(store, workshop))
        elif action == "csv":
            turn.say(await self._csv(store, workshop, turn.timezone))
        elif action == "qr":
            turn.say(*await self._join_replies(turn, workshop))
        elif action == "invite":
            turn.say(self._invite(turn, workshop))
        elif action == "newlink":
            await store.workshops.new_page_link(workshop.id)
            workshop = await store.workshops.get(workshop.id) or workshop
            turn.record(WorkshopChanged(workshop.id))
            turn.say(await self._page(store, workshop, renewed=True))
        elif action == "page":
            turn.say(await self._page(store, workshop))
        return True

    async def title_text(self, turn: Turn, text: str) -> bool:
        title = " ".join(text.split())
        if not title:
            turn.say(Reply(_("Send the workshop's title as a message.")))
            return True
        if len(title) > MAX_TITLE:  # asked again rather than cut where the reader cannot see
            turn.say(
                Reply(
                    _(
                        "That title has {count} characters; please send one of at most {limit}."
                    ).format(count=len(title), limit=MAX_TITLE)
                )
            )
            return True
        turn.conversation.awaiting = Awaiting.NOTHING
        workshop = await turn.store.workshops.create(turn.user_id, title, turn.now)
        turn.say(*await self._join_replies(turn, workshop), await self._results(turn, workshop))
        return True

    # --- replies ----------------------------------------------------------------------------

    async def _join_replies(self, turn: Turn, workshop: WorkshopInfo) -> list[Reply]:
        lines = [
            _("Workshop “{title}” is open.").format(title=workshop.title),
            "",
            _("Join code: {code}").format(code=workshop.code),
        ]
        replies = []
        link = await join_link(turn.store.workshops, turn.channel, workshop.code)
        if link is not None:
            lines.append(_("Link: {link}").format(link=link))
            replies.append(
                Reply(
                    _("Scan to join “{title}”").format(title=workshop.title),
                    attachment=Attachment(f"join-{workshop.code}.png", QrCode(link)),
                )
            )
        lines.append(_("Or send the bot: /workshop join {code}").format(code=workshop.code))
        return [Reply("\n".join(lines), (_back(workshop),)), *replies]

    def _invite(self, turn: Turn, workshop: WorkshopInfo) -> Reply:
        payload = f"{INVITE_PREFIX}{workshop.invite}"
        where = turn.channel.start_link(payload) or f"/start {payload}"
        return Reply(
            _(
                "Send this to your co-facilitator. Whoever opens it can see the results, export "
                "them and close the workshop:"
            )
            + f"\n{where}",
            (_back(workshop),),
        )

    async def _page(self, store: Stores, workshop: WorkshopInfo, renewed: bool = False) -> Reply:
        """The projector page's link, with a button that revokes it by making a new one."""
        link = await store.workshops.page_link(workshop)
        if link is None:
            return Reply(_("The projector page needs the bot's web server, which is not set up."))
        lines = [
            _("The old link no longer works. The new one:")
            if renewed
            else _("Projector page for “{title}”:").format(title=workshop.title),
            link,
            "",
            _(
                "Open it on the computer connected to the projector. It shows the join code and "
                "QR code, and the answers as they arrive, without names."
            ),
            _(
                "Anyone with the link can watch it. “New link” stops the old one, and closing "
                "the workshop closes the page too. Co-facilitators get the same link."
            ),
        ]
        host = await store.workshops.host_link(workshop)
        if host is not None:
            lines += [
                "",
                _(
                    "Your own view of the page, to hide answers, show the results when you "
                    "choose and download the report (keep this link to yourself):"
                ),
                host,
            ]
        return Reply(
            "\n".join(lines),
            (Choice(f"wsf:newlink:{workshop.id}", _("New link")), _back(workshop)),
            rows=(2,),
        )

    async def _list(self, turn: Turn) -> Reply:
        mine = await turn.store.workshops.of_facilitator(turn.user_id)
        if not mine:
            return Reply(
                _("You have no workshops yet."), (Choice("wsf:new", _("Create a workshop")),)
            )
        choices = [
            Choice(
                f"wsf:open:{w.id}",
                f"{w.title} ({w.code})" + (" – " + _("closed") if w.closed else ""),
            )
            for w in mine[:20]
        ]
        return Reply(_("Your workshops:"), tuple(choices))

    async def _results(self, turn: Turn, workshop: WorkshopInfo) -> Reply:
        store = turn.store.workshops
        return self.results_reply(
            workshop,
            await store.answers(workshop.id),
            turn.channel,
            await store.decisions(workshop.id),
        )

    def results_reply(
        self,
        workshop: WorkshopInfo,
        answers: Sequence[ParticipantAnswers],
        channel: Channel,
        decisions: Mapping[tuple[int, str], Decision] | None = None,
    ) -> Reply:
        """The results message, one message long in `channel`, with the facilitator's buttons;
        a channel that edits messages in place keeps it live (`Reply.shows`). Only the texts
        the room may see are in it (`decisions`, the workshop's filter)."""
        results = aggregate(self.content, answers, Moderation(workshop.filter_on, decisions or {}))
        text = results_text(
            self.content, workshop.title, workshop.code, results, workshop.closed, channel
        )
        toggle = (
            Choice(f"wsf:reopen:{workshop.id}", _("Reopen"))
            if workshop.closed
            else Choice(f"wsf:close:{workshop.id}", _("Close"))
        )
        reveal = (
            Choice(f"wsf:conceal:{workshop.id}", _("Hide the results"))
            if workshop.revealed
            else Choice(f"wsf:reveal:{workshop.id}", _("Show the results"))
        )
        moderate = _("Moderate answers")
        if results.held:
            moderate += f" ({results.held})"
        # the buttons that send something new leave the results where they are
        choices = (
            Choice(f"wsf:refresh:{workshop.id}:{_digest(text)}", _("Refresh")),
            Choice(f"wsf:chart:{workshop.id}", _("Chart"), opens_beside=True),
            Choice(f"wsf:csv:{workshop.id}", _("Export CSV"), opens_beside=True),
            toggle,
            Choice(f"wsf:page:{workshop.id}", _("Projector page"), opens_beside=True),
            Choice(f"wsf:qr:{workshop.id}", _("Join link and QR"), opens_beside=True),
            Choice(f"wsf:invite:{workshop.id}", _("Add a co-facilitator"), opens_beside=True),
            Choice(f"wsf:mod:{workshop.id}", moderate),
            reveal,
            Choice(f"wsf:report:{workshop.id}", _("Report"), opens_beside=True),
        )
        return Reply(
            text, choices, rows=(3, 2, 2, 2, 1), shows=ResultsShown(workshop.id, workshop.revision)
        )

    # --- moderation -------------------------------------------------------------------------

    async def _moderate(self, turn: Turn, workshop: WorkshopInfo, action: str, extra: str) -> None:
        """Hide a text, show it again (or let a held one through), or switch the filter; then
        the list again, as it is now."""
        store = turn.store.workshops
        if action in ("filteron", "filteroff"):
            await store.set_filter(workshop.id, action == "filteron")
        else:
            answer, _sep, ref = extra.partition(":")
            answers = await store.answers(workshop.id)
            item = find(answers, int(answer), ref) if answer.isdigit() else None
            decision: Decision = "hidden" if action == "hide" else "shown"
            if item is None or not await store.decide(
                workshop.id, int(answer), ref, decision, turn.now
            ):
                turn.say(Reply(_("That answer has changed or is gone."), brief=True))
                turn.say(await self._moderation_reply(turn, workshop))
                return
        workshop = await store.get(workshop.id) or workshop
        turn.record(WorkshopChanged(workshop.id))
        turn.say(await self._moderation_reply(turn, workshop))

    async def _moderation_reply(self, turn: Turn, workshop: WorkshopInfo) -> Reply:
        """The latest free texts, those held back first, each with its button."""
        store = turn.store.workshops
        answers = await store.answers(workshop.id)
        moderation = Moderation(workshop.filter_on, await store.decisions(workshop.id))
        listed, more = moderation_list(answers, moderation, LISTED)
        lines = [
            _("Answers in their own words, “{title}”").format(title=shorten(workshop.title, 80)),
            _("Hidden answers leave the projector page, the word list and the results."),
            (
                _("Profanity filter: on (flagged answers wait for you)")
                if workshop.filter_on
                else _("Profanity filter: off")
            ),
            "",
        ]
        marks = {"held": _("held back"), "hidden": _("hidden")}
        choices: list[Choice] = []
        for number, entry in enumerate(listed, start=1):
            mark = f" [{marks[entry.status]}]" if entry.status in marks else ""
            lines.append(f"{number}.{mark} {shorten(entry.item.text, LISTED_CHARS)}")
            target = f"{workshop.id}:{entry.item.answer}:{entry.item.ref}"
            if entry.status == "shown":
                choices.append(Choice(f"wsf:hide:{target}", _("Hide {n}").format(n=number)))
            elif entry.status == "held":
                choices.append(Choice(f"wsf:show:{target}", _("Let {n} through").format(n=number)))
            else:
                choices.append(Choice(f"wsf:show:{target}", _("Show {n}").format(n=number)))
        if not listed:
            lines.append(_("No answers in their own words yet."))
        if more:
            lines.append(_("…and {count} more (all are in the CSV export)").format(count=more))
        switch = (
            Choice(f"wsf:filteroff:{workshop.id}", _("Turn the filter off"))
            if workshop.filter_on
            else Choice(f"wsf:filteron:{workshop.id}", _("Turn the filter on"))
        )
        rows = [3] * (len(choices) // 3) + ([len(choices) % 3] if len(choices) % 3 else [])
        choices += [Choice(f"wsf:mod:{workshop.id}", _("Refresh")), switch, _back(workshop)]
        return Reply("\n".join(lines), tuple(choices), rows=(*rows, 2, 1))

    async def _report(
        self, store: Stores, workshop: WorkshopInfo, now: float, zone: str | None = None
    ) -> list[Reply]:
        """The workshop's report, as PDF and as Markdown."""
        answers = await store.workshops.answers(workshop.id)
        moderation = Moderation(workshop.filter_on, await store.workshops.decisions(workshop.id))
        pdf, markdown = report_attachments(
            self.content, workshop, answers, moderation, current_language(), now, zone
        )
        return [
            Reply(_("The workshop's report, to send to participants and funders."), attachment=pdf),
            Reply(_("The same report as Markdown, to paste into a document."), attachment=markdown),
        ]

    async def _chart(self, store: Stores, workshop: WorkshopInfo) -> Reply:
        results = aggregate(self.content, await store.workshops.answers(workshop.id))  # no texts
        chart = count_chart(self.content, results, _("Where the participants are on the journey"))
        return Reply(workshop.title, attachment=Attachment(f"workshop-{workshop.code}.png", chart))

    async def _csv(self, store: Stores, workshop: WorkshopInfo, zone: str | None = None) -> Reply:
        """The export; its dates are days in `zone`, by default the bot's default time zone."""
        answers = await store.workshops.answers(workshop.id)
        moderation = Moderation(workshop.filter_on, await store.workshops.decisions(workshop.id))
        table = export_table(
            self.content,
            workshop.title,
            answers,
            current_language(),
            zone=zone,
            moderation=moderation,
        )
        return Reply(
            ngettext(
                "{count} participant, one row each.",
                "{count} participants, one row each.",
                len(answers),
            ).format(count=len(answers)),
            attachment=Attachment(f"workshop-{workshop.code}.csv", table),
        )

"""What users do with reminders: ask for one after a summary or a workshop, `/remind` to see,
change, pause or stop it, set their time zone, and, on a reminder, tick off actions, snooze it
or re-check a step. Reminders are kept through the `Store`; the job that sends them is the
bot's (`bot/reminders.py`). Where the channel cannot write to the user later, the same choices
give an event for the user's calendar instead (`flows.reminders.calendar`)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flows.actionplan.ownership import month_label, reminder_order, this_month
from flows.actionplan.state import ActionPlanState
from flows.content_model import Content
from flows.i18n import _, current_language
from flows.journey.assessment import Assessment
from flows.locales import language
from flows.messages import Choice, Reply
from flows.notices import stale_button
from flows.reminders.calendar import calendar_attachment, event_day
from flows.reminders.port import ReminderInfo
from flows.reminders.timing import format_due, zone
from flows.scoring import MAX_ACTIONS, Action, score
from flows.state import Awaiting, ConversationState
from flows.summary import step_word
from flows.turn import Turn

INTERVALS = (7, 14, 30)


def calendar_choices() -> tuple[Choice, ...]:
    """The dates a reminder would first go out on, as choices of a calendar event."""
    return (
        Choice("rem:7", _("In a week")),
        Choice("rem:14", _("In two weeks")),
        Choice("rem:30", _("In a month")),
    )


def _every(days: int) -> str:
    return {7: _("every week"), 14: _("every two weeks"), 30: _("every month")}.get(
        days, _("every {days} days").format(days=days)
    )


def _date(due: float, turn: Turn) -> str:
    when = datetime.fromtimestamp(due, UTC)
    return format_due(when, zone(turn.timezone), turn.conversation.lang)


class Reminders:
    """The reminder routes, and the reminder message itself."""

    def __init__(self, content: Content, assessment: Assessment) -> None:
        self.content = content
        self.assessment = assessment

    # --- /remind and its buttons ------------------------------------------------------------

    async def remind_command(self, turn: Turn, _arg: str) -> None:
        await self.choice(turn, "status")

    async def choice(self, turn: Turn, action: str) -> bool:
        store, user = turn.store, turn.user_id
        turn.conversation.awaiting = Awaiting.NOTHING
        chat_id = turn.channel.reminder_chat
        if chat_id is None:  # the channel speaks only when spoken to: a calendar event instead
            return self._calendar_choice(turn, action)
        if action.isdigit() and int(action) in INTERVALS:
            days = int(action)
            due = await store.reminders.schedule(user, chat_id, days, turn.now, turn.timezone)
            turn.say(
                Reply(
                    _("I'll remind you on {date}, then {every}. Change it with /remind.").format(
                        date=_date(due, turn), every=_every(days)
                    )
                )
            )
            return True
        if action == "pause":
            await store.reminders.pause(user)
        elif action == "resume":
            await store.reminders.resume(user, turn.now, turn.timezone)
        elif action == "stop":
            await store.reminders.stop(user)
        elif action == "snooze":
            due = await store.reminders.snooze(
                user, turn.now, turn.timezone
            ) or await store.reminders.schedule(user, chat_id, 7, turn.now, turn.timezone)
            turn.say(
                Reply(_("Snoozed: I'll remind you again on {date}.").format(date=_date(due, turn)))
            )
            return True
        elif action == "tz":
            self._ask_zone(turn)
            return True
        elif action != "status":
            turn.say(Reply(stale_button()))
        turn.say(self._status(turn, await store.reminders.get(user)))
        return True

    def _status(self, turn: Turn, row: ReminderInfo | None) -> Reply:
        zone_line = _("Time zone: {zone}.").format(zone=turn.timezone)
        if turn.channel.reminder_chat is None:
            return Reply(
                _(
                    "I can't write to you later in this chat, but I can put your next actions "
                    "in your calendar: an event at 09:30 on a weekday. When?"
                )
                + "\n"
                + zone_line,
                (*calendar_choices(), Choice("rem:tz", _("Change time zone"))),
                rows=(3, 1),
            )
        change = [Choice(f"rem:{days}", _every(days).capitalize()) for days in INTERVALS]
        if row is None:
            return Reply(
                _(
                    "You have no reminder. I can remind you of your next actions at 09:30 on a "
                    "weekday:"
                )
                + "\n"
                + zone_line,
                (*change, Choice("rem:tz", _("Change time zone"))),
                rows=(3, 1),
            )
        if row.paused:
            text = _("Your reminder is paused ({every}).").format(every=_every(row.interval_days))
            toggle = Choice("rem:resume", _("Resume"))
        else:
            text = _("Next reminder: {date}, then {every}.").format(
                date=_date(row.due, turn), every=_every(row.interval_days)
            )
            toggle = Choice("rem:pause", _("Pause"))
        return Reply(
            f"{text}\n{zone_line}",
            (
                *change,
                toggle,
                Choice("rem:stop", _("Stop")),
                Choice("rem:tz", _("Change time zone")),
            ),
            rows=(3, 2, 1),
        )

    # --- the user's calendar, where the channel cannot remind ---------------------------------

    def _calendar_choice(self, turn: Turn, action: str) -> bool:
        """A reminder's choices on a channel that cannot write later: a date gives the calendar
        event (a snooze: a week on), the time zone is asked as anywhere, the rest shows what
        can be done here."""
        days = 7 if action == "snooze" else int(action) if action.isdigit() else 0
        if days in INTERVALS:
            turn.say(self.calendar_reply(turn, days))
        elif action == "tz":
            self._ask_zone(turn)
        else:
            if action not in ("status", "pause", "resume", "stop"):
                turn.say(Reply(stale_button()))
            turn.say(self._status(turn, None))
        return True

    def calendar_reply(self, turn: Turn, days: int) -> Reply:
        """The calendar event `days` days on, with the open next actions and a link back."""
        lang = current_language()
        start = event_day(turn.now, days, turn.timezone)
        url = turn.channel.start_link("")
        lines = [_("Reminder: time to move your international work on."), ""]
        lines += self._calendar_actions(turn.conversation, start.strftime("%Y-%m"))
        if url:
            lines += [
                "",
                _("Continue in {brand}: {url}").format(brand=language(lang).brand, url=url),
            ]
        attachment = calendar_attachment(
            turn.user_id,
            start,
            turn.now,
            lang,
            _("{brand}: your next actions").format(brand=language(lang).brand),
            "\n".join(lines),
            url,
        )
        when = format_due(start, zone(turn.timezone), lang)
        return Reply(
            _(
                "Here is your calendar event, {date}. Open the file to add it to your calendar. "
                "If you choose another date later, the event moves there."
            ).format(date=when),
            attachment=attachment,
        )

    def _calendar_actions(self, conv: ConversationState, month: str) -> list[str]:
        """The open next actions as a calendar event lists them, due dates as of its month."""
        lang = current_language()
        step, actions = self._actions(conv)
        if step is None and conv.journey.last is None:
            return [_("You have no next actions yet: start with the self-assessment.")]
        if step is None:
            return [
                _(
                    "Every step is above the readiness threshold. Keep your networks alive, and "
                    "take a new self-assessment with new goals."
                )
            ]
        if not actions and step < len(self.content.steps):
            return [
                _(
                    "Every action of step {number} is done: check whether you are ready for "
                    "step {next}."
                ).format(number=step, next=step + 1)
            ]
        if not actions:
            return [_("Every next action is done: a new self-assessment shows where you stand.")]
        title = self.content.step(step).title.get(lang)
        lines = [_("Your next actions (step {number}: {title}):").format(number=step, title=title)]
        lines.extend(
            f"{i}. {a.question.action.get(lang)}{self._note(conv.plan, a, step, month)}"
            for i, a in enumerate(reminder_order(actions, conv.plan, month), start=1)
        )
        return lines

    @staticmethod
    def _ask_zone(turn: Turn) -> None:
        turn.conversation.awaiting = Awaiting.TIME_ZONE
        turn.say(
            Reply(
                _(
                    "Send your time zone, e.g. Europe/Stockholm or Europe/Helsinki. Now: {zone}."
                ).format(zone=turn.timezone)
            )
        )

    async def timezone_text(self, turn: Turn, text: str) -> bool:
        text = text.strip()
        name = next((z for z in available_timezones() if z.casefold() == text.casefold()), None)
        try:
            if name is None:
                raise ZoneInfoNotFoundError(text)
            ZoneInfo(name)
        except ZoneInfoNotFoundError:
            turn.say(Reply(_("I don't know that time zone. Write it like Europe/Stockholm.")))
            return True
        old, turn.timezone = turn.timezone, name
        turn.conversation.awaiting = Awaiting.NOTHING
        # the pending reminder (a snooze too) stays on the day the user was told, at 09:30 in
        # the new zone
        await turn.store.reminders.move_to_zone(turn.user_id, old, name, turn.now)
        row = await turn.store.reminders.get(turn.user_id)
        turn.say(Reply(_("Time zone set to {zone}.").format(zone=name)), self._status(turn, row))
        return True

    # --- the buttons of a reminder ----------------------------------------------------------

    @staticmethod
    def _note(plan: ActionPlanState, action: Action, step: int, month: str) -> str:
        """An action's step when it is not the reminder's, and when it is due."""
        notes = [] if action.step == step else [step_word(action.step)]
        due = plan.due.get(action.question.id)
        if due is not None:
            words = month_label(due, current_language())
            if due < month:
                notes.append(_("overdue: due {month}").format(month=words))
            elif due == month:
                notes.append(_("due this month"))
            else:
                notes.append(_("due {month}").format(month=words))
        return f" ({', '.join(notes)})" if notes else ""

    async def action_choice(self, turn: Turn, value: str) -> bool:
        """Mark an action done, or re-check one step's questions."""
        conv = turn.conversation
        kind, _sep, target = value.partition(":")
        if kind == "done" and any(a.question.id == target for a in self._actions(conv)[1]):
            if target not in conv.plan.done:
                conv.plan.done.append(target)
            turn.say(self.reminder_reply(conv, turn.now, turn.timezone))
            return True
        number = self.content.step_number(target) if kind == "recheck" else None
        if number is not None:
            return self.assessment.recheck(turn, number)
        return False

    def _actions(self, conv: ConversationState) -> tuple[int | None, tuple[Action, ...]]:
        """The step a reminder speaks of and its open actions: from the latest assessment, or
        for a workshop participant without one, from the step they chose in the workshop."""
        closed = frozenset(conv.plan.done) | set(conv.plan.dropped)
        if conv.journey.last is not None:
            result = score(self.content, conv.journey.last.answers, closed)
            return result.position, result.actions
        step = conv.workshop.step if conv.workshop is not None else None
        if isinstance(step, int) and self.content.step_number(str(step)) is not None:
            questions = self.content.step(step).questions
            return step, tuple(Action(step, q) for q in questions if q.id not in closed)[
                :MAX_ACTIONS
            ]
        return None, ()

    def due_reply(self, conv: ConversationState, now: float, timezone: str) -> Reply:
        """A reminder that fell due: what it is, then the open next actions."""
        intro = _("Reminder: time to move your international work on.")
        return self.reminder_reply(conv, now, timezone, intro)

    def reminder_reply(
        self, conv: ConversationState, now: float, timezone: str, intro: str = ""
    ) -> Reply:
        """The open next actions, overdue and due ones first, with buttons to tick them off and
        to re-check the step."""
        lang = current_language()
        step, actions = self._actions(conv)
        month = this_month(now, timezone)
        actions = reminder_order(actions, conv.plan, month)
        if step is None and conv.journey.last is None:
            text = _("You have no next actions yet: start with the self-assessment.")
            return Reply(
                f"{intro}\n\n{text}" if intro else text,
                (Choice("menu:assess", _("Start the self-assessment")),),
            )
        lines = [intro] if intro else []
        if step is None:
            lines.append(
                _(
                    "Every step is above the readiness threshold. Keep your networks alive, and "
                    "take a new self-assessment with new goals."
                )
            )
        elif actions:
            title = self.content.step(step).title.get(lang)
            lines.append(
                _("Your next actions (step {number}: {title}):").format(number=step, title=title)
            )
            lines.extend(
                f"{i}. {a.question.action.get(lang)}{self._note(conv.plan, a, step, month)}"
                for i, a in enumerate(actions, start=1)
            )
            lines.append("")
            lines.append(_("Tick off what you have done:"))
        choices = [
            Choice(f"act:done:{a.question.id}", _("✓ {number} done").format(number=i))
            for i, a in enumerate(actions, start=1)
        ]
        if step is not None:
            step_actions_left = [a for a in actions if a.step == step]
            if not step_actions_left and step < len(self.content.steps):
                lines.append(
                    _(
                        "Every action of step {number} is done: check whether you are ready for "
                        "step {next}."
                    ).format(number=step, next=step + 1)
                )
                choices.append(
                    Choice(f"act:recheck:{step}", _("Re-check step {number}").format(number=step))
                )
                choices.append(
                    Choice(
                        f"act:recheck:{step + 1}",
                        _("Questions of step {number}").format(number=step + 1),
                    )
                )
            elif conv.journey.last is not None:
                choices.append(
                    Choice(
                        f"act:recheck:{step}",
                        _("Re-check step {number} (a minute)").format(number=step),
                    )
                )
        choices.append(Choice("rem:snooze", _("Snooze a week")))
        return Reply(
            "\n".join(lines).strip(),
            tuple(choices),
            rows=(len(actions), *([1] * (len(choices) - len(actions)))),
        )

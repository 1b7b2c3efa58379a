"""What users do with reminders: ask for one after a summary or a workshop, `/remind` to see,
change, pause or stop it, snooze it from a reminder, and set their time zone. The timing, the
table and the delivery are `bot.reminders`."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot import reminders
from bot.storage import Storage, UserRecord
from flows.i18n import _
from flows.messages import Choice, Event, Reply
from flows.state import ConversationState

INTERVALS = (7, 14, 30)
TZ_FLOW = "remind-tz"


def is_reminder_event(event: Event, state: ConversationState) -> bool:
    if event.kind == "command":
        return event.value == "remind"
    if event.kind == "choice":
        return event.value.startswith("rem:")
    return state.flow == TZ_FLOW


def chat_of(user_id: str) -> int | None:
    """Reminders go through Telegram: the private chat of a Telegram user is their user id."""
    prefix, _sep, number = user_id.partition(":")
    return int(number) if prefix == "tg" and number.isdigit() else None


def _every(days: int) -> str:
    return {7: _("every week"), 14: _("every two weeks"), 30: _("every month")}.get(
        days, _("every {days} days").format(days=days))


class ReminderCommands:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def handle(self, record: UserRecord, event: Event, now: float) -> list[Reply]:
        state = record.state
        if event.kind == "text":
            return await self._set_timezone(record, event.value.strip(), now)
        action = event.value.removeprefix("rem:") if event.kind == "choice" else "status"
        state.flow = "menu"
        chat_id = chat_of(record.id)
        if chat_id is None:
            return [Reply(_("Reminders come as Telegram messages, so they are not available in "
                            "the terminal chat."))]
        if action.isdigit() and int(action) in INTERVALS:
            due = await reminders.schedule(self.storage, record.id, chat_id, int(action), now)
            return [Reply(_("I'll remind you on {date}, then {every}. Change it with /remind.")
                          .format(date=self._date(due, record), every=_every(int(action))))]
        if action == "pause":
            await reminders.pause(self.storage, record.id)
        elif action == "resume":
            await reminders.resume(self.storage, record.id, now)
        elif action == "stop":
            await reminders.stop(self.storage, record.id)
        elif action == "snooze":
            due = await reminders.snooze(self.storage, record.id, now) \
                or await reminders.schedule(self.storage, record.id, chat_id, 7, now)
            return [Reply(_("Snoozed: I'll remind you again on {date}.").format(
                date=self._date(due, record)))]
        elif action == "tz":
            state.flow = TZ_FLOW
            return [Reply(_("Send your time zone, e.g. Europe/Stockholm or Europe/Helsinki. "
                            "Now: {zone}.").format(zone=record.timezone))]
        elif action != "status":
            return [Reply(_("That button is no longer active.")), await self.status(record)]
        return [await self.status(record)]

    async def status(self, record: UserRecord) -> Reply:
        row = await reminders.active(self.storage, record.id)
        zone = _("Time zone: {zone}.").format(zone=record.timezone)
        change = [Choice(f"rem:{days}", _every(days).capitalize()) for days in INTERVALS]
        if row is None:
            return Reply(_("You have no reminder. I can remind you of your next actions at "
                           "09:30 on a weekday:") + "\n" + zone,
                         (*change, Choice("rem:tz", _("Change time zone"))), rows=(3, 1))
        if row.state == reminders.PAUSED:
            text = _("Your reminder is paused ({every}).").format(every=_every(row.interval_days))
            toggle = Choice("rem:resume", _("Resume"))
        else:
            text = _("Next reminder: {date}, then {every}.").format(
                date=self._date(row.due, record), every=_every(row.interval_days))
            toggle = Choice("rem:pause", _("Pause"))
        return Reply(f"{text}\n{zone}", (*change, toggle, Choice("rem:stop", _("Stop")),
                                         Choice("rem:tz", _("Change time zone"))),
                     rows=(3, 2, 1))

    async def _set_timezone(self, record: UserRecord, text: str, now: float) -> list[Reply]:
        name = next((z for z in available_timezones() if z.casefold() == text.casefold()), None)
        if name is None or len(text) > 64:
            return [Reply(_("I don't know that time zone. Write it like Europe/Stockholm."))]
        try:
            ZoneInfo(name)
        except ZoneInfoNotFoundError:
            return [Reply(_("I don't know that time zone. Write it like Europe/Stockholm."))]
        record.timezone = name
        record.state.flow = "menu"
        await self.storage.save(record)
        row = await reminders.active(self.storage, record.id)
        chat_id = chat_of(record.id)
        if row is not None and row.state != reminders.PAUSED and chat_id is not None:
            await reminders.schedule(self.storage, record.id, chat_id, row.interval_days, now)
        return [Reply(_("Time zone set to {zone}.").format(zone=name)),
                await self.status(record)]

    @staticmethod
    def _date(due: float, record: UserRecord) -> str:
        zone = ZoneInfo(record.timezone)
        return reminders.format_due(datetime.fromtimestamp(due, UTC), zone, record.state.lang)

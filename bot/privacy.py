"""What the bot stores and the erasure of a user's data (/privacy, /delete)."""

from __future__ import annotations

from bot.storage import Storage
from flows.i18n import _
from flows.messages import Choice, Reply

CONFIRM, CANCEL = "confirm", "cancel"


def privacy_reply() -> Reply:
    return Reply("\n\n".join([
        _("What I store about you, and why:"),
        _("• Your Telegram user id, your language and time zone, so that I can answer you "
          "in your language and at sensible times."),
        _("• Where you are in the conversation and your answers, so that you can pause and "
          "continue without losing anything."),
        _("• Your completed self-assessments (answers, readiness per step and dates), so that "
          "I can show your latest summary and the change since the previous one."),
        _("• Your reminders (when and how often), if you asked for them."),
        _("• Your answers in workshops you joined. Facilitators only see them combined with "
          "everyone else's, never with your name or Telegram id."),
        _("I do not store your name, your username or the text of your messages, and nothing "
          "is shared with anyone. Your data is kept until you delete it: send /delete to erase "
          "everything at once."),
    ]))


def confirm_reply() -> Reply:
    return Reply(
        _("Do you want to erase everything I store about you? This cannot be undone."),
        (Choice(CONFIRM, _("Yes, erase my data")), Choice(CANCEL, _("Cancel"))), rows=(2,),
    )


async def erase(storage: Storage, user_id: str) -> Reply:
    counts = await storage.delete_user(user_id)
    if not counts["profile"]:
        return Reply(_("There was nothing stored about you."))
    return Reply(_("Done. I erased your profile, your conversation, {count} completed "
                   "self-assessment(s) and {reminders} reminder(s). Your answers in {workshops} "
                   "workshop(s) stay in the workshop totals but are no longer linked to you. "
                   "Send /start if you want to begin again.").format(
        count=counts["assessments"], reminders=counts["reminders"],
        workshops=counts["workshop_answers"]))


def cancelled_reply() -> Reply:
    return Reply(_("Nothing was erased."))

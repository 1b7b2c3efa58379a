"""What the bot stores about a user, and the erasure of it (/privacy, /delete).

Both commands only show a text, so they leave no trace of a user who has none (`read_only`);
the erasure asks for a confirmation first and then keeps nothing of the user's, not even the
conversation this event ran in (`erased`)."""

from __future__ import annotations

from flows.i18n import _, ngettext
from flows.messages import Choice, Reply
from flows.turn import Turn

CONFIRM, CANCEL = "confirm", "cancel"


def privacy_reply() -> Reply:
    return Reply(
        "\n\n".join(
            [
                _("What I store about you, and why:"),
                _(
                    "• Your Telegram user id, your language and time zone, so that I can answer "
                    "you in your language and at sensible times."
                ),
                _(
                    "• Where you are in the conversation and your answers, so that you can pause "
                    "and continue without losing anything."
                ),
                _(
                    "• Your completed self-assessments (answers, readiness per step and dates), "
                    "so that I can show your latest summary and the change since the previous "
                    "one."
                ),
                _("• Your reminders (when and how often), if you asked for them."),
                _(
                    "• Your answers in workshops you joined: the step you chose and the kinds "
                    "and sources of support you ticked, and the words you typed yourself (your "
                    "challenges and from whom you want support). Facilitators see them only "
                    "combined with everyone else's, and their export lists them without your "
                    "name or Telegram id."
                ),
                _(
                    "• Workshops you run: their title and that you run them. These stay after "
                    "/delete, so that the other facilitators keep the results."
                ),
                _(
                    "• The teams you belong to (and own) and when you joined. Your answers for "
                    "a team count in its combined result, which shows only counts, never who "
                    "said what. After /delete they leave the result; a team you own passes to "
                    "its longest-standing member."
                ),
                _(
                    "I do not store your name or your username. Apart from the workshop answers "
                    "above, I keep only what you choose with the buttons, not the text of your "
                    "messages. Nothing is shared with anyone else. Your data is kept until you "
                    "delete it: send /delete to erase it at once."
                ),
                _(
                    "When you delete, the words you typed in workshops are erased too. Your "
                    "choices there (step, kinds and sources of support) stay in the workshop's "
                    "totals, no longer linked to you."
                ),
            ]
        )
    )


def confirm_reply() -> Reply:
    return Reply(
        _("Do you want to erase everything I store about you? This cannot be undone."),
        (
            Choice(f"privacy:{CONFIRM}", _("Yes, erase my data")),
            Choice(f"privacy:{CANCEL}", _("Cancel")),
        ),
        rows=(2,),
    )


async def privacy_command(turn: Turn, _arg: str) -> None:
    turn.read_only = True
    turn.say(privacy_reply())


async def delete_command(turn: Turn, _arg: str) -> None:
    turn.read_only = True
    turn.say(confirm_reply())


async def privacy_choice(turn: Turn, value: str) -> bool:
    if value == CANCEL:
        turn.read_only = True
        turn.say(Reply(_("Nothing was erased.")))
        return True
    if value != CONFIRM:
        return False
    counts = await turn.store.erase_user(turn.user_id)
    turn.erased = True
    if not counts["profile"]:
        turn.say(Reply(_("There was nothing stored about you.")))
        return True
    assessments, reminders, workshops = (
        counts[k] for k in ("assessments", "reminders", "workshop_answers")
    )
    turn.say(
        Reply(
            _(
                "Done. I erased your profile, your conversation, {assessments}, {reminders} and "
                "the words you typed in {workshops}. Your choices in those workshops stay in "
                "their totals, no longer linked to you. Send /start if you want to begin again."
            ).format(
                assessments=ngettext(
                    "{count} completed self-assessment",
                    "{count} completed self-assessments",
                    assessments,
                ).format(count=assessments),
                reminders=ngettext("{count} reminder", "{count} reminders", reminders).format(
                    count=reminders
                ),
                workshops=ngettext("{count} workshop", "{count} workshops", workshops).format(
                    count=workshops
                ),
            )
        )
    )
    return True

"""What the bot stores about a user, and the erasure of it (/privacy, /delete).

Both commands only show a text, so they leave no trace of a user who has none (`read_only`);
the erasure asks for a confirmation first and then keeps nothing of the user's, not even the
conversation this event ran in (`erased`)."""

from __future__ import annotations

from collections.abc import Sequence

from flows.i18n import N_, _, ngettext
from flows.messages import Choice, Reply
from flows.turn import Turn

CONFIRM, CANCEL = "confirm", "cancel"


# What each kind of personal data in the storage's registry is, for the user: `/privacy` lists
# the kinds the registry holds, so a new kind of data cannot be stored without being described.
INVENTORY: dict[str, tuple[str, ...]] = {
    "profile": (
        N_(
            "• Your user id in the chat app, your language and time zone, and when you "
            "started and last used me, so that I can answer in your language, at sensible "
            "times, and erase your data after a long pause."
        ),
        N_(
            "• Where you are in the conversation and your answers so far, including the "
            "words of a workshop answer you have begun, so that you can pause and continue "
            "without losing anything."
        ),
        N_(
            "• Your action plan as you wrote it: the cluster's name you typed, the names "
            "you typed as owners of actions (such as “Anna Berg / the board”), the months "
            "they are due and what is done or dropped."
        ),
    ),
    "assessments": (
        N_(
            "• Your completed self-assessments (answers, readiness per step, dates and "
            "the team they count for), so that I can show your latest summary and the "
            "change since the previous one."
        ),
    ),
    "reminders": (N_("• Your reminders (when and how often), if you asked for them."),),
    "workshop_answers": (
        N_(
            "• Your answers in workshops you joined: the step you chose and the kinds "
            "and sources of support you ticked, and the words you typed yourself (your "
            "challenges and from whom you want support). Facilitators see them only "
            "combined with everyone else's, and their export lists them without your "
            "name or user id."
        ),
    ),
    "join_attempts": (
        N_(
            "• When you typed a workshop code that matched no workshop, so that nobody "
            "can find workshops by guessing codes."
        ),
    ),
    "workshops_run": (
        N_(
            "• Workshops you run: the title you typed, that you run them and the chat "
            "where their results are shown. After /delete "
            "you no longer run them: a workshop you created passes to a co-facilitator, or "
            "is closed under no one's name, so that the results are not lost."
        ),
    ),
    "regional_consent": (
        N_(
            "• Whether you share your results for the regional picture, with the region "
            "and field you chose (more below)."
        ),
    ),
    "teams": (
        N_(
            "• The teams you belong to (and own, with the cluster's name you typed) and when "
            "you joined. Your answers for "
            "a team count in its combined result, which shows only counts, never who "
            "said what. After /delete they leave the result; a team you own passes to "
            "its longest-standing member."
        ),
    ),
    "browser_chat": (
        N_(
            "• If you use me in a web browser: the latest messages of our chat there (about "
            "80, yours and mine, with everything you typed), so that the page shows them on "
            "any device you continue on, "
            "and a random id in a cookie that recognises your browser."
        ),
    ),
}


def _retention(months: int) -> str:
    if not months:
        return _("Your data is kept until you delete it.")
    return ngettext(
        "If you do not use me for {count} month, your data is erased; I tell you a week "
        "before where the chat app lets me.",
        "If you do not use me for {count} months, your data is erased; I tell you a week "
        "before where the chat app lets me.",
        months,
    ).format(count=months)


def retention_notice(months: int, erased_on: str) -> Reply:
    """The notice before an inactive user's data is erased (`bot.retention`)."""
    return Reply(
        ngettext(
            "You have not used Cluster Journey for almost {count} month. On {date} I will "
            "erase what I store about you. To keep it, just send me a message; /mydata "
            "gives you a copy first.",
            "You have not used Cluster Journey for almost {count} months. On {date} I will "
            "erase what I store about you. To keep it, just send me a message; /mydata "
            "gives you a copy first.",
            months,
        ).format(count=months, date=erased_on)
    )


def privacy_reply(categories: Sequence[str], *parts: Reply, months: int = 0) -> Reply:
    """What is stored, listed from the kinds of data the storage holds (`categories`) in the
    inventory's order, followed by what other features say of themselves (`parts`, e.g. the
    regional picture's consent), their buttons with them."""
    return Reply(
        "\n\n".join(
            [
                _("What I store about you, and why:"),
                *(
                    _(line)
                    for kind, lines in INVENTORY.items()
                    if kind in categories
                    for line in lines
                ),
                _(
                    "I do not store your name or your username in the chat app. Of what you type I "
                    "keep only what the list above names: the cluster's name (for the plan and a "
                    "team), owners of actions, workshop titles and answers and, in a web browser, "
                    "the chat. Anything else you write is not kept, and nothing is shared beyond "
                    "what the list says."
                ),
                _retention(months),
                _("Send /mydata for a copy of all of it, and /delete to erase it at once."),
                _(
                    "When you delete, the words you typed in workshops are erased too. Your "
                    "choices there (step, kinds and sources of support) stay in the workshop's "
                    "totals, no longer linked to you."
                ),
                *(part.text for part in parts),
            ]
        ),
        tuple(choice for part in parts for choice in part.choices),
    )


def confirm_reply() -> Reply:
    return Reply(
        "\n\n".join(
            [
                _("Do you want to erase everything I store about you? This cannot be undone."),
                _(
                    "What stays, no longer linked to you: your choices in workshops (step, "
                    "kinds and sources of support) in their totals, and workshops you created, "
                    "which pass to a co-facilitator or are closed under no one's name. A team "
                    "you own passes to its longest-standing member."
                ),
            ]
        ),
        (
            Choice(f"privacy:{CONFIRM}", _("Yes, erase my data")),
            Choice(f"privacy:{CANCEL}", _("Cancel")),
        ),
        rows=(2,),
    )


async def privacy_command(turn: Turn, _arg: str, *parts: Reply) -> None:
    turn.read_only = True
    privacy = turn.store.privacy
    turn.say(privacy_reply(privacy.categories(), *parts, months=privacy.retention_months()))


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
    counts = await turn.store.privacy.erase(turn.user_id)
    turn.erased = True
    if not counts["profile"]:
        turn.say(Reply(_("There was nothing stored about you.")))
        return True
    assessments, reminders, workshops, run = (
        counts.get(k, 0) for k in ("assessments", "reminders", "workshop_answers", "workshops_run")
    )
    done = _(
        "Done. I erased your profile, your conversation, {assessments}, {reminders} and the "
        "words you typed in {workshops}. Your choices in those workshops stay in their totals, "
        "no longer linked to you."
    ).format(
        assessments=ngettext(
            "{count} completed self-assessment", "{count} completed self-assessments", assessments
        ).format(count=assessments),
        reminders=ngettext("{count} reminder", "{count} reminders", reminders).format(
            count=reminders
        ),
        workshops=ngettext("{count} workshop", "{count} workshops", workshops).format(
            count=workshops
        ),
    )
    handed = (
        ngettext(
            "You no longer run {count} workshop.", "You no longer run {count} workshops.", run
        ).format(count=run)
        if run
        else ""
    )
    again = _("Send /start if you want to begin again.")
    turn.say(Reply(" ".join(part for part in (done, handed, again) if part)))
    return True

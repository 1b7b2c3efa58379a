"""Fixed answers, written once: what every flow and channel says in the same words (a button
that no longer works, text not understood, an unknown command, a message the bot cannot read,
an error on its side), and the words a channel adds around the conversations (the terminal's
prompts and goodbye). Adapters show these; they write no sentence of their own."""

from __future__ import annotations

from flows.i18n import _


def stale_button() -> str:
    """A button of an earlier position, of something gone, or forged."""
    return _("That button is no longer active.")


def not_understood() -> str:
    """Free text the conversation does not wait for."""
    return _("I didn't catch that. Use the buttons, or send /help.")


def unknown_command() -> str:
    return _("Sorry, I don't know that command. Send /help to see what I can do.")


def only_text() -> str:
    """A photo, a sticker, a voice message and the like."""
    return _("I can only read text and button presses. Send /help to see what I can do.")


def invalid_invitation() -> str:
    """A link to join a team or to facilitate a workshop that is wrong, used up or withdrawn."""
    return _("That invitation is not valid.")


def went_wrong() -> str:
    """An error on the bot's side: nothing the user did is lost."""
    return _(
        "Sorry, something went wrong on my side. Your answers so far are saved; "
        "please try again in a moment."
    )


def last_question() -> str:
    """In place of the last question once it is answered (what follows: the summary, or in a
    workshop the step it suggests)."""
    return _("Thank you, that was the last question.")


# --- the terminal's own words ----------------------------------------------------------------


def goodbye(saved: bool) -> str:
    """The terminal chat's last line; `saved`: the user has answers to come back to."""
    if saved:
        return _("Goodbye! Your answers are saved; run the chat again to continue.")
    return _("Goodbye!")


def saved_to(path: str) -> str:
    """Where a chart or file was written."""
    return _("Saved to {path}").format(path=path)


def choose_number(count: int) -> str:
    return _("Please choose a number between 1 and {count}.").format(count=count)


def enter_key() -> str:
    """The key that presses the first button while typed text is an answer."""
    return _("Enter")

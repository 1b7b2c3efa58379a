"""The fixed words of the chat page, for a channel that shows the conversation as a page (the
browser): its field and buttons, its menu, the personal link to continue on another device, and
the pages that refuse a form (expired, too many, too large). The conversation's own words come
from the flows as everywhere else."""

from __future__ import annotations

from flows.i18n import _


def labels() -> dict[str, str]:
    """The page's words in the current language."""
    return {
        "conversation": _("Conversation"),
        "skip": _("Skip to the message field"),
        "you": _("You"),
        "send": _("Send"),
        "write": _("Write a message or a command, e.g. /help"),
        "answer": _("Write your answer here"),
        "menu": _("Menu"),
        "download": _("Download {name}"),
        "qr": _("QR code for {link}"),
        "device": _("Continue on another device"),
        "device_intro": _(
            "Open this link on your other phone or computer to continue the chat there, "
            "where you left off. Whoever has the link can read and continue your chat, so "
            "keep it to yourself."
        ),
        "device_renew": _("Make a new link"),
        "device_renew_note": _(
            "A new link stops the old one, and signs out every other browser that used it."
        ),
        "device_renewed": _(
            "Done: the old link no longer works and other browsers are signed out."
        ),
        "back": _("Back to the chat"),
        "expired_title": _("This form has expired"),
        "expired": _(
            "The form was too old, or it did not come from this chat, so I did not act on "
            "it. Nothing is lost. Send it again if you still want to:"
        ),
        "too_many_title": _("A short pause, please"),
        "too_many": _(
            "You sent a lot in a short time. Wait a few seconds and send it again; nothing is lost."
        ),
        "too_large_title": _("That was too long"),
        "too_large": _("That was more than one message can hold. Shorten it and send it again."),
        "link_gone_title": _("This link no longer works"),
        "link_gone": _(
            "The link was replaced by a newer one. Ask for the new link on the device where "
            "you started, or start a new chat here."
        ),
        "start_again": _("Start a new chat"),
        "erased_title": _("Your data is erased"),
    }

"""What a workshop's join page says, as data in the current language: the workshop's title and
code with the two ways in (answer in the browser, or open the chat app), or, for a code that
opens nothing, why not and a field to type it again. `bot/web/join.py` turns it into HTML;
nothing here names anyone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from flows.i18n import _, current_language


class JoinState(Enum):
    OPEN = "open"  # a workshop that takes answers: the ways in
    CLOSED = "closed"  # a workshop that has closed
    UNKNOWN = "unknown"  # no workshop has the code, or it cannot be one
    ASK = "ask"  # no code given yet


@dataclass(frozen=True)
class JoinView:
    lang: str
    state: JoinState
    heading: str  # an open workshop's title, else "Join a workshop"
    code: str  # an open workshop's code, else ""
    message: str  # what the page says under the heading
    labels: dict[str, str]

    @property
    def found(self) -> bool:
        return self.state is JoinState.OPEN


def labels() -> dict[str, str]:
    """The page's fixed words in the current language; `open_app` takes the app's name."""
    return {
        "join": _("Join a workshop"),
        "code": _("Join code"),
        "answer_here": _("Answer here"),
        "answer_hint": _("In this browser, nothing to install"),
        "open_app": _("Open in {app}"),
        "app_hint": _("If you have the app on this device"),
        "go": _("Join"),
        "no_names": _("Anonymous: no names are shown."),
    }


def join_view(state: JoinState, title: str = "", code: str = "") -> JoinView:
    """The page for a workshop (`title`, `code`) in `state`; UNKNOWN and ASK need neither,
    CLOSED only the title."""
    if state is JoinState.OPEN:
        message = _(
            "Three short questions: where your cluster is on the journey, its challenges and "
            "the support it wants. Only the combined results are shown."
        )
    elif state is JoinState.CLOSED:
        message = _("The workshop “{title}” is closed and takes no more answers.").format(
            title=title
        )
    elif state is JoinState.UNKNOWN:
        message = _(
            "I can't find a workshop with that code. Check it with the facilitator and try again."
        )
    else:
        message = _("Type the workshop's join code (six characters).")
    found = state is JoinState.OPEN
    page = labels()
    return JoinView(
        lang=current_language(),
        state=state,
        heading=" ".join(title.split()) if found else page["join"],
        code=code if found else "",
        message=message,
        labels=page,
    )

"""One participant's workshop answers: language-neutral codes plus free text, so Swedish and
English participants merge into the same totals."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParticipantAnswers:
    """One participant's answers: language-neutral codes plus free text."""

    step: int | None = None  # 1..10, None = not answered
    challenges: tuple[str, ...] = ()  # free text, possibly several
    support_kinds: tuple[str, ...] = ()  # ids from content.workshop.support_kinds
    support_sources: tuple[str, ...] = ()  # ids from content.workshop.support_sources
    support_from: str = ""  # free text "from whom" ("" if none)
    lang: str = "en"  # "sv" or "en"
    updated: float | None = None  # unix seconds of the last save, as stored (None: not yet)
    # the stored answer's key, for moderation decisions (None: not stored); bookkeeping, not
    # part of what was answered
    key: int | None = field(default=None, compare=False)

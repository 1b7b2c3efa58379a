"""What of the participants' free text the room may see: the facilitator hides an answer (and
can undo it), and a profanity filter, on unless the workshop turns it off, holds a flagged text
back until a facilitator lets it through.

A text is known by its answer's key and a digest of its words (`TextItem.ref`), so a decision
stays with the text when the participant edits another of their answers, and a retyped text is
a new one. Decisions are data (`Moderation`); the flows apply them wherever texts are shown:
the results message, the projector page, the word list, the report; the CSV marks them."""

from __future__ import annotations

import functools
import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from flows.workshop.answers import ParticipantAnswers

Status = Literal["shown", "hidden", "held"]
Decision = Literal["hidden", "shown"]
CHALLENGE, FROM = "c", "f"  # which question a text answers
WORD_LIST = Path(__file__).resolve().parents[2] / "content" / "profanity.txt"


def digest(text: str) -> str:
    """Eight hex digits of the text's words, case and spacing ignored."""
    flat = " ".join(text.casefold().split())
    return hashlib.sha256(flat.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class TextItem:
    """One free text of one participant, in the order they were given."""

    answer: int | None  # the answer's key (None: not stored yet, nothing to decide on)
    kind: str  # CHALLENGE or FROM
    text: str
    updated: float | None = None

    @property
    def ref(self) -> str:
        return self.kind + digest(self.text)


def text_items(answers: Sequence[ParticipantAnswers]) -> list[TextItem]:
    """Every non-empty free text, participant by participant, challenges before "from whom";
    a text a participant gave twice counts once."""
    out: list[TextItem] = []
    for answer in answers:
        seen: set[str] = set()
        texts = [(CHALLENGE, t) for t in answer.challenges] + [(FROM, answer.support_from)]
        for kind, text in texts:
            item = TextItem(answer.key, kind, text.strip(), answer.updated)
            if item.text and item.ref not in seen:
                seen.add(item.ref)
                out.append(item)
    return out


_FOLD = str.maketrans("åäöÅÄÖæøÆØéÉüÜ", "aaoAAOaoAOeEuU")


def _fold(text: str) -> str:
    """Swedish letters as their plain Latin ones: the filter's word boundaries are ASCII, so
    "jämförelse" would otherwise be read as "j", "mf", "relse"."""
    return text.translate(_FOLD)


@functools.cache
def _filter() -> object:
    """glin-profanity's English dictionary and its Swedish one (folded, like the texts), with
    this project's additions and exceptions (`content/profanity.txt`); built once (~15 ms)."""
    from glin_profanity import Filter
    from glin_profanity.data.dictionary import DictionaryLoader

    extra = list(DictionaryLoader().get_words("swedish"))
    allowed = []
    for line in WORD_LIST.read_text(encoding="utf-8").splitlines():
        sign, _space, word = line.strip().partition(" ")
        if sign == "+" and word.strip():
            extra.append(word.strip())
        elif sign == "-" and word.strip():
            allowed.append(word.strip())
    folded_allowed = {_fold(w).casefold() for w in allowed}
    words = sorted({_fold(w) for w in extra} - folded_allowed)
    return Filter(
        {
            "languages": ["english"],
            "custom_words": words,
            "whitelist": sorted(folded_allowed),
            "detect_leetspeak": True,
        }
    )


VERDICTS_KEPT = 16_384  # a 500-person room's texts several times over; ~2 MB
_verdicts: OrderedDict[bytes, bool] = OrderedDict()


def flagged(text: str) -> bool:
    """True when the filter finds a swear word or an insult in `text`.

    The filter costs about 4 µs a character, and every change of a room redraws its results
    and wall from all the texts, so each text's verdict is kept (by a digest of its words,
    spacing ignored, so the stored and the shown form of a text are one entry)."""
    plain = " ".join(text.split())
    key = hashlib.blake2b(plain.encode(), digest_size=16).digest()
    verdict = _verdicts.get(key)
    if verdict is None:
        verdict = bool(_filter().is_profane(_fold(plain)))  # type: ignore[attr-defined]
        _verdicts[key] = verdict
        if len(_verdicts) > VERDICTS_KEPT:
            _verdicts.popitem(last=False)
    else:
        _verdicts.move_to_end(key)
    return verdict


@dataclass(frozen=True)
class Moderation:
    """A workshop's decisions: (answer key, ref) → "hidden" or "shown" ("shown" lets a
    flagged text through); `filter_on` holds back flagged texts nobody decided on."""

    filter_on: bool = True
    decisions: Mapping[tuple[int, str], Decision] = field(default_factory=dict)

    def status(self, item: TextItem) -> Status:
        """Hidden or let through by a facilitator; else held if the filter flags it."""
        decided = self.decisions.get((item.answer, item.ref)) if item.answer is not None else None
        if decided is not None:
            return decided
        return "held" if self.filter_on and flagged(item.text) else "shown"

    def visible(self, item: TextItem) -> bool:
        return self.status(item) == "shown"


def visible_answers(
    answers: Sequence[ParticipantAnswers], moderation: Moderation
) -> list[ParticipantAnswers]:
    """The answers with only the free texts the room may see (the coded choices all stay)."""
    out = []
    for answer in answers:
        challenges = tuple(
            t for t in answer.challenges if moderation.visible(TextItem(answer.key, CHALLENGE, t))
        )
        given = answer.support_from.strip()
        shown = given and moderation.visible(TextItem(answer.key, FROM, given))
        out.append(
            replace(
                answer, challenges=challenges, support_from=answer.support_from if shown else ""
            )
        )
    return out


@dataclass(frozen=True)
class Listed:
    """A text as the facilitator's moderation list shows it."""

    item: TextItem
    status: Status


def moderation_list(
    answers: Sequence[ParticipantAnswers], moderation: Moderation, limit: int
) -> tuple[list[Listed], int]:
    """The texts a facilitator looks at: those held back first, then the newest; at most
    `limit`, with how many more there are."""
    items = text_items(answers)
    order = sorted(range(len(items)), key=lambda i: (items[i].updated or 0.0, i), reverse=True)
    listed = [Listed(items[i], moderation.status(items[i])) for i in order]
    held = [entry for entry in listed if entry.status == "held"]
    rest = [entry for entry in listed if entry.status != "held"]
    chosen = (held + rest)[:limit]
    return chosen, len(listed) - len(chosen)


def find(answers: Iterable[ParticipantAnswers], answer: int, ref: str) -> TextItem | None:
    """The text a button or form names, if it is still there."""
    return next((i for i in text_items(list(answers)) if i.answer == answer and i.ref == ref), None)

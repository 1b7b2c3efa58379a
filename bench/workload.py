"""What both bots send: the quick check's real replies, taken once from the engine.

The baseline replays these texts and keyboards (same sizes, same HTML escaping, same chart
bytes) without any logic, so that the two bots differ only in what Cluster Journey does per
update: storage, the engine, rendering and pacing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.render import render
from bot.telegram.sending import escape
from flows.content_model import Content
from flows.i18n import _, use_language
from flows.messages import Event, Reply
from flows.router import Router
from flows.state import ConversationState
from tests.helpers import Engine

ANSWERS = ("yes", "partly", "no", "unsure")
QUESTIONS = 10  # the quick check: one key question per step
NOW = 1_700_000_000.0


def _shape(reply: Reply) -> dict[str, Any]:
    """A reply as the baseline sends it: escaped text and rows of (label, choice id)."""
    return {
        "text": escape(reply.text),
        "rows": [[(c.label[:64], c.id) for c in row] for row in reply.choice_rows()],
    }


def sample_replies(content: Content, chart_path: Path) -> dict[str, Any]:
    """The quick check's replies in both languages; the chart is rendered once to `chart_path`."""
    engine = Engine(Router(content))
    sample: dict[str, Any] = {"chart": str(chart_path)}
    for lang in ("en", "sv"):
        record = ConversationState(lang=lang)
        mode = engine.handle(record, Event("command", "assess"), NOW).replies[-1]
        replies = engine.handle(record, Event("choice", "mode:quick"), NOW).replies
        questions = [_shape(replies[-1])]
        for i in range(QUESTIONS):
            replies = engine.handle(record, Event("choice", f"ans:{ANSWERS[i % 4]}"), NOW).replies
            if i < QUESTIONS - 1:
                questions.append(_shape(replies[-1]))
        # the text first, the reminder question with its answers, the chart, then (after a
        # first summary) the consent question
        summary, question, chart, consent = replies
        assert chart.attachment is not None
        if lang == "en":
            chart_path.write_bytes(render(chart.attachment))
        with use_language(lang):
            closing = escape(_("Thank you, that was the last question."))
        sample[lang] = {
            "mode": _shape(mode),
            "questions": questions,
            "closing": closing,
            "caption": escape(chart.text),
            "summary": _shape(summary),
            "question": _shape(question),
            "consent": _shape(consent),
        }
    return sample


def write_sample(content: Content, folder: Path) -> Path:
    path = folder / "replies.json"
    path.write_text(json.dumps(sample_replies(content, folder / "chart.png"), ensure_ascii=False))
    return path

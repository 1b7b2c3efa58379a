"""A workshop participant's conversation: joining by code or link, and the three questions
(step, challenges, support and from whom) as a small `transitions` machine.

`ParticipantFlow` is pure (stage and answers in, stage, answers and replies out);
`Participation` routes the participant's events, loading and saving the answers through the
`Store`, and hands over to the quick check for a participant unsure of their step."""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise

from transitions import Machine

from flows.content_model import Content
from flows.events import AssessmentCompleted, WorkshopChanged
from flows.i18n import _, current_language, ngettext
from flows.journey.assessment import Assessment
from flows.locales import format_number
from flows.machine import fire
from flows.messages import Choice, Event, Reply
from flows.notices import stale_button
from flows.state import Awaiting, ConversationState
from flows.turn import Turn
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.codes import normalise_code
from flows.workshop.port import WorkshopInfo
from flows.workshop.results import MAX_FROM, shorten
from flows.workshop.session import WorkshopSession

STAGES = ("step", "challenges", "kinds", "sources", "from", "done")
QUICK = "quick"  # taking the quick check to find the step
MAX_CHALLENGES = 20
MAX_FREE_TEXT = 1000
MAX_WRONG_CODES = 10  # per user and hour


@dataclass
class Answered:
    stage: str
    answers: ParticipantAnswers
    replies: list[Reply]
    changed: bool = False  # the answers changed (the live results need an update)
    start_quick_check: bool = False


def waiting_for_step(conv: ConversationState) -> bool:
    """A workshop participant takes the quick check to find their step: its end proposes the
    step and returns to the workshop, instead of showing the whole summary there (the summary
    is stored all the same and waits under /summary)."""
    return conv.workshop is not None and conv.workshop.stage == QUICK


def _kept_note() -> str:
    """Said when a free text was cut to MAX_FREE_TEXT (1 000 in Swedish, 1,000 in English)."""
    limit = format_number(MAX_FREE_TEXT, current_language())
    return _("Only the first {limit} characters were kept.").format(limit=limit)


class _Model:
    def __init__(self, stage: str) -> None:
        self.stage = stage


class ParticipantFlow:
    def __init__(self, content: Content) -> None:
        self.content = content
        transitions = [{"trigger": "advance", "source": a, "dest": b} for a, b in pairwise(STAGES)]
        transitions += [
            {"trigger": "change", "source": "done", "dest": "step"},
            {"trigger": "check", "source": "step", "dest": QUICK},
            {"trigger": "choose_step", "source": QUICK, "dest": "step"},
        ]
        self.machine = Machine(
            model=None,
            states=[*STAGES, QUICK],
            transitions=transitions,
            initial="step",
            auto_transitions=False,
            ignore_invalid_triggers=True,
            model_attribute="stage",
        )

    def _fire(self, stage: str, trigger: str) -> str:
        """The stage after `trigger`; the same stage when the trigger does not apply to it."""
        return fire(self.machine, _Model(stage), stage, trigger) or stage

    # --- events ---------------------------------------------------------------------------

    def handle(self, stage: str, answers: ParticipantAnswers, event: Event, title: str) -> Answered:
        if event.kind == "choice":
            return self._choice(stage, answers, event.value.partition(":")[2], title)
        if event.kind == "text":
            return self._text(stage, answers, event.value.strip(), title)
        return Answered(stage, answers, [self.prompt(stage, answers, title)])

    def _choice(self, stage: str, answers: ParticipantAnswers, choice: str, title: str) -> Answered:
        kind, _sep, value = choice.partition(":")
        number = self.content.step_number(value) if kind == "step" else None
        if number is not None and stage in ("step", QUICK):
            answers = replace(answers, step=number)
            if stage == QUICK:
                stage = self._fire(stage, "choose_step")
            stage = self._fire(stage, "advance")
            return Answered(stage, answers, [self.prompt(stage, answers, title)], changed=True)
        if kind == "quick" and stage == "step":
            return Answered(self._fire(stage, "check"), answers, [], start_quick_check=True)
        if kind == "pick" and stage == QUICK:  # choose the step without the quick check
            stage = self._fire(stage, "choose_step")
            return Answered(stage, answers, [self.prompt(stage, answers, title)])
        if kind == "next" and stage in ("challenges", "kinds", "sources", "from"):
            stage = self._fire(stage, "advance")
            return Answered(stage, answers, [self.prompt(stage, answers, title)])
        if kind in ("kind", "src") and stage == ("kinds" if kind == "kind" else "sources"):
            return self._toggle(stage, answers, kind, value, title)
        if kind == "resume" and stage != "done":  # back to the question after a detour
            return Answered(stage, answers, [self.prompt(stage, answers, title)])
        if kind == "change" and stage == "done":
            stage = self._fire(stage, "change")
            return Answered(stage, answers, [self.prompt(stage, answers, title)])
        return Answered(
            stage,
            answers,
            [Reply(stale_button()), self.prompt(stage, answers, title)],
        )

    def _toggle(
        self, stage: str, answers: ParticipantAnswers, kind: str, value: str, title: str
    ) -> Answered:
        options = (
            self.content.workshop.support_kinds
            if kind == "kind"
            else self.content.workshop.support_sources
        )
        if value not in {o.id for o in options}:
            return Answered(
                stage,
                answers,
                [Reply(stale_button()), self.prompt(stage, answers, title)],
            )
        chosen = answers.support_kinds if kind == "kind" else answers.support_sources
        chosen = tuple(
            o.id for o in options if (o.id in chosen) != (o.id == value)
        )  # toggle, in content order
        if kind == "kind":
            answers = replace(answers, support_kinds=chosen)
        else:
            answers = replace(answers, support_sources=chosen)
        return Answered(stage, answers, [self.prompt(stage, answers, title)], changed=True)

    def _text(self, stage: str, answers: ParticipantAnswers, text: str, title: str) -> Answered:
        if stage == "challenges" and text:
            if len(answers.challenges) >= MAX_CHALLENGES:
                return Answered(
                    stage,
                    answers,
                    [
                        Reply(
                            _("That is as many challenges as I can take. Press Done to go on."),
                            self._next_choice(_("Done →")),
                        )
                    ],
                )
            answers = replace(answers, challenges=(*answers.challenges, text[:MAX_FREE_TEXT]))
            noted = _("Noted ({count}). Write another challenge, or press Done.").format(
                count=len(answers.challenges)
            )
            if len(text) > MAX_FREE_TEXT:  # a sticky note's worth; the rest can follow
                more = len(answers.challenges) < MAX_CHALLENGES
                cut = _kept_note() + (
                    " " + _("You can send the rest as another challenge.") if more else ""
                )
                noted = f"{cut}\n\n{noted}"
            reply = Reply(noted, self._next_choice(_("Done →")), expects_text=True)
            return Answered(stage, answers, [reply], changed=True)
        if stage == "from" and text:
            answers = replace(answers, support_from=text[:MAX_FREE_TEXT])
            stage = self._fire(stage, "advance")
            replies = [self.prompt(stage, answers, title)]
            if len(text) > MAX_FREE_TEXT:
                replies.insert(0, Reply(_kept_note()))
            return Answered(stage, answers, replies, changed=True)
        return Answered(
            stage,
            answers,
            [Reply(_("Please use the buttons below.")), self.prompt(stage, answers, title)],
        )

    # --- replies --------------------------------------------------------------------------

    @staticmethod
    def _next_choice(label: str) -> tuple[Choice, ...]:
        return (Choice("ws:next", label),)

    def prompt(self, stage: str, answers: ParticipantAnswers, title: str) -> Reply:
        lang = current_language()
        w = self.content.workshop
        head = _("Workshop: {title}").format(title=title)
        if stage in ("step", QUICK):
            choices = [
                Choice(f"ws:step:{s.number}", f"{s.number}. {s.short.get(lang)}")
                for s in self.content.steps
            ]
            choices.append(Choice("ws:quick", _("Not sure – take the quick check")))
            number = _("Question 1 of 3")
            text = f"{head}\n\n{w.intro.get(lang)}\n\n{number}\n{w.questions.step.get(lang)}"
            return Reply(text, tuple(choices), rows=(2, 2, 2, 2, 2, 1))
        if stage == "challenges":
            number = _("Question 2 of 3")
            hint = _(
                "Write them as messages, one challenge per message. Press Done when you "
                "have finished."
            )
            text = f"{head}\n\n{number}\n{w.questions.challenges.get(lang)}\n\n{hint}"
            return Reply(text, self._next_choice(_("Done →")), expects_text=True)
        if stage in ("kinds", "sources"):
            kinds = stage == "kinds"
            options = w.support_kinds if kinds else w.support_sources
            chosen = answers.support_kinds if kinds else answers.support_sources
            prefix = "kind" if kinds else "src"
            question = w.questions.support if kinds else w.questions.support_from
            hint = _("Choose as many as you like, then press Next.")
            # one question in two parts: what support, then from whom
            number = _("Question 3 of 3") if kinds else _("Question 3 of 3, continued")
            text = f"{head}\n\n{number}\n{question.get(lang)}\n\n{hint}"
            choices = [
                Choice(f"ws:{prefix}:{o.id}", ("✓ " if o.id in chosen else "") + o.label.get(lang))
                for o in options
            ]
            choices.append(Choice("ws:next", _("Next →")))
            return Reply(text, tuple(choices))
        if stage == "from":
            text = f"{head}\n\n{w.questions.support_from.get(lang)}\n\n" + _(
                "Anyone else, in your own words? Write it as a message, or press Skip."
            )
            return Reply(text, self._next_choice(_("Skip →")), expects_text=True)
        return self.done_reply(answers, title)

    def done_reply(self, answers: ParticipantAnswers, title: str) -> Reply:
        """The confirmation repeats every answer, so the participant sees what the room gets."""
        lang = current_language()
        w = self.content.workshop
        step = self.content.step(answers.step).title.get(lang) if answers.step else "–"
        sources = [o.label.get(lang) for o in w.support_sources if o.id in answers.support_sources]
        lines = [
            _("Thank you! Your answers to “{title}” are in.").format(title=title),
            "",
            _("Step: {step}").format(step=step),
            _("Challenges: {count}").format(count=len(answers.challenges)),
            _("Support: {kinds}").format(
                kinds=", ".join(
                    o.label.get(lang) for o in w.support_kinds if o.id in answers.support_kinds
                )
                or "–"
            ),
            _("From whom: {sources}").format(sources=", ".join(sources) or "–"),
        ]
        if answers.support_from.strip():
            lines.append(
                _("In your own words: {text}").format(text=shorten(answers.support_from, MAX_FROM))
            )
        lines += [
            "",
            _("You can change your answers until the workshop closes."),
        ]
        choices = [Choice("ws:change", _("Change my answers"))]
        if answers.step:
            choices.append(
                Choice(
                    f"guide:{answers.step}:tools",
                    _("Guidance for step {number}").format(number=answers.step),
                )
            )
            choices.append(Choice("rem:7", _("Remind me of my next steps in a week")))
        return Reply("\n".join(lines), tuple(choices))

    def quick_check_result(self, position: int | None, title: str) -> Reply:
        """After the quick check: propose its position as the answer to question 1. The summary
        waits under /summary, so the workshop goes on without it."""
        lang = current_language()
        number = position or len(self.content.steps)
        step = self.content.step(number)
        text = (
            _("Workshop: {title}").format(title=title)
            + "\n\n"
            + _(
                "Your quick check puts you at step {number}: {step}. Use that as your answer?"
            ).format(number=number, step=step.title.get(lang))
            + "\n\n"
            + _("Your full summary is kept for later: send /summary.")
        )
        return Reply(
            text,
            (
                Choice(f"ws:step:{number}", _("Yes, step {number}").format(number=number)),
                Choice("ws:pick", _("I'll choose myself")),
            ),
            rows=(1, 1),
        )


def _closed(workshop: WorkshopInfo) -> Reply:
    return Reply(
        _("The workshop “{title}” is closed and takes no more answers.").format(
            title=workshop.title
        )
    )


class Participation:
    """The participant's routes: join, answer the three questions, take the quick check."""

    def __init__(self, content: Content, assessment: Assessment) -> None:
        self.content = content
        self.flow = ParticipantFlow(content)
        self.assessment = assessment

    async def join(self, turn: Turn, text: str) -> None:
        """Join by a typed code, a link's payload or `/workshop join CODE`."""
        conv, store = turn.conversation, turn.store
        conv.awaiting = Awaiting.NOTHING
        wrong = await store.workshops.wrong_codes_since(turn.user_id, turn.now - 3600)
        if wrong >= MAX_WRONG_CODES:
            turn.say(
                Reply(
                    _(
                        "Too many wrong codes. Please wait an hour, or ask the facilitator for "
                        "the link."
                    )
                )
            )
            return
        code = normalise_code(text)
        workshop = await store.workshops.by_code(code) if code else None
        if workshop is None:
            await store.workshops.record_wrong_code(turn.user_id, turn.now)
            turn.say(
                Reply(
                    _(
                        "I can't find a workshop with that code. Check it with the facilitator "
                        "and try again."
                    )
                )
            )
            return
        if workshop.closed:
            turn.say(_closed(workshop))
            return
        answers = await store.workshops.answer_of(workshop.id, turn.user_id) or ParticipantAnswers(
            lang=conv.lang
        )
        conv.awaiting = Awaiting.WORKSHOP_ANSWER
        conv.workshop = WorkshopSession(workshop.id, workshop.title)
        turn.say(self.flow.prompt("step", answers, workshop.title))
        await store.workshops.save_answer(workshop.id, turn.user_id, answers, turn.now)
        turn.record(WorkshopChanged(workshop.id))

    async def join_start(self, turn: Turn, payload: str) -> None:
        await self.join(turn, payload)

    async def join_text(self, turn: Turn, text: str) -> bool:
        await self.join(turn, text)
        return True

    async def choice(self, turn: Turn, value: str) -> bool:
        await self._answer(turn, Event("choice", f"ws:{value}"))
        return True

    async def text(self, turn: Turn, text: str) -> bool:
        await self._answer(turn, Event("text", text))
        return True

    async def _answer(self, turn: Turn, event: Event) -> None:
        conv, store = turn.conversation, turn.store
        current = conv.workshop
        workshop = await store.workshops.get(current.id) if current else None
        if current is None or workshop is None:
            conv.awaiting = Awaiting.NOTHING
            turn.say(Reply(stale_button()))
            return
        if workshop.closed:
            conv.awaiting = Awaiting.NOTHING
            turn.say(_closed(workshop))
            return
        answers = await store.workshops.answer_of(workshop.id, turn.user_id) or ParticipantAnswers()
        answers = replace(answers, lang=conv.lang)
        result = self.flow.handle(current.stage, answers, event, workshop.title)
        current.stage = result.stage
        current.step = result.answers.step  # for reminders of a participant's next steps
        conv.awaiting = (
            Awaiting.WORKSHOP_ANSWER if result.stage not in ("done", QUICK) else Awaiting.NOTHING
        )
        if result.changed:
            await store.workshops.save_answer(workshop.id, turn.user_id, result.answers, turn.now)
            turn.record(WorkshopChanged(workshop.id))
        turn.say(*result.replies)
        if result.start_quick_check:
            minutes = self.assessment.minutes("quick")
            intro = ngettext(
                "Let's find out with the quick check: {count} questions, about {minutes} "
                "minute. Afterwards I'll suggest your step.",
                "Let's find out with the quick check: {count} questions, about {minutes} "
                "minutes. Afterwards I'll suggest your step.",
                minutes,
            )
            count = len(self.assessment.diagnostic.sequence("quick"))
            turn.say(Reply(intro.format(count=count, minutes=minutes)))
            self.assessment.begin(turn, "quick")

    async def after_assessment(self, turn: Turn, done: AssessmentCompleted) -> None:
        """An assessment completed: a participant waiting for it gets its step proposed (in
        place of the summary, see `waiting_for_step`)."""
        current = turn.conversation.workshop
        if not current or not waiting_for_step(turn.conversation):
            return
        turn.say(self.flow.quick_check_result(done.position, current.title))

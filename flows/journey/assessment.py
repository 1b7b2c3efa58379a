"""The self-assessment conversation: choose quick or full, answer, go back, pause, resume,
and the readiness summary. Pure: it changes the conversation record and answers with Replies;
a finished assessment is recorded as `AssessmentCompleted`, whose subscribers show what follows
(the summary, or a workshop's step) and which the adapter stores."""

from __future__ import annotations

import math
import re
import zlib
from typing import Any

from flows.actionplan.document import check_name, day
from flows.actionplan.ownership import describe, forget_met, this_month
from flows.content_model import Content, Question
from flows.events import AssessmentCompleted
from flows.i18n import _, current_language, ngettext
from flows.journey.diagnostic import FULL, MODE, PAUSED, QUICK, SUMMARY, Diagnostic
from flows.journey.state import Assessed, Previous
from flows.messages import Choice, Reply
from flows.scoring import Result, score
from flows.state import Awaiting, ConversationState
from flows.summary import change_since, chart_attachment, summary_text
from flows.turn import Turn

WORDS_PER_MINUTE = 200  # reading on a screen
SECONDS_PER_TAP = 2  # choosing and pressing an answer
_WORD = re.compile(r"\w+")


def _closed(conv: ConversationState) -> frozenset[str]:
    """Actions the user no longer needs to see: done, or not relevant to them."""
    return frozenset(conv.plan.done) | frozenset(conv.plan.dropped)


def position_token(conv: ConversationState) -> str:
    """A short token that changes whenever the diagnostic moves (state, question, round), so a
    button shown for an earlier position, or tapped twice, is recognised as stale."""
    journey = conv.journey
    completed = journey.last.completed if journey.last is not None else None
    key = f"{journey.state}|{journey.check}|{journey.index}|{journey.started}|{completed}"
    return format(zlib.crc32(key.encode()) & 0xFFFFFF, "x")


class Assessment:
    """The diagnostic's conversation; one per content, shared and stateless."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.diagnostic = Diagnostic(content)
        self._minutes: dict[tuple[str, str], int] = {}

    # --- routes -----------------------------------------------------------------------------

    async def assess_command(self, turn: Turn, _arg: str) -> None:
        self.assess(turn)

    async def answer_choice(self, turn: Turn, answer_id: str) -> bool:
        return self.answer(turn, answer_id)

    async def mode_choice(self, turn: Turn, mode: str) -> bool:
        return mode in (QUICK, FULL) and self.start(turn, mode)

    async def nav_choice(self, turn: Turn, value: str) -> bool:
        return self.navigate(turn, value)

    async def text(self, turn: Turn, text: str) -> bool:
        """Free text while the diagnostic waits: an answer's label, or the mode's name."""
        conv = turn.conversation
        text = text.strip()
        question = self.diagnostic.current_question(conv.journey)
        if question is not None and conv.journey.state != PAUSED:
            answer = self._match_answer(text)
            if answer:
                self.answer(turn, answer)
                return True
            labels = [a.label.get(current_language()) for a in self.content.answers]
            turn.say(
                Reply(
                    _("Please answer with one of the buttons: {answers}.").format(
                        answers=", ".join(labels)
                    )
                ),
                self.question_reply(conv, question, intro=False),
            )
            return True
        if conv.journey.state == MODE:
            mode = {_("Quick check").casefold(): QUICK, _("Full check").casefold(): FULL}
            if text.casefold() in mode:
                self.start(turn, mode[text.casefold()])
                return True
        return False

    # --- the diagnostic ---------------------------------------------------------------------

    def in_progress(self, conv: ConversationState) -> bool:
        return self.diagnostic.current_question(conv.journey) is not None

    def last_question_open(self, conv: ConversationState) -> bool:
        """The next answer completes the check: its event brings the summary, the heaviest
        reply (a hint for serving others first, `bot.storage.aio`)."""
        journey = conv.journey
        return (
            journey.state != PAUSED
            and self.in_progress(conv)
            and journey.index == len(self._sequence(conv)) - 1
        )

    def prompt(self, conv: ConversationState) -> Reply | None:
        """What the diagnostic waits for now, if anything."""
        if conv.journey.state == PAUSED:
            return self.paused_reply()
        if conv.awaiting != Awaiting.ANSWER:
            return None
        question = self.diagnostic.current_question(conv.journey)
        if question is not None:
            return self.question_reply(conv, question, intro=False)
        if conv.journey.state == MODE:
            return self.mode_reply()
        return None

    def assess(self, turn: Turn) -> None:
        conv = turn.conversation
        conv.awaiting = Awaiting.ANSWER
        if conv.journey.state == PAUSED:
            self.diagnostic.fire(conv.journey, "resume")
        question = self.diagnostic.current_question(conv.journey)
        if question is not None:
            turn.say(self.question_reply(conv, question, intro=True))
            return
        self.diagnostic.fire(conv.journey, "choose_mode")
        turn.say(self.mode_reply())

    def begin(self, turn: Turn, mode: str) -> None:
        """Start a round of `mode` at once, without asking how thorough (a workshop's hand-over
        to the quick check): no "Quick / Full" buttons that the first question would make
        stale. A round in progress or paused continues where it stood."""
        conv = turn.conversation
        if conv.journey.state == PAUSED or self.in_progress(conv):
            self.assess(turn)
            return
        self.diagnostic.fire(conv.journey, "choose_mode")
        self.start(turn, mode)

    def start(self, turn: Turn, mode: str) -> bool:
        conv, journey = turn.conversation, turn.conversation.journey
        if journey.state != MODE:
            return False
        conv.awaiting = Awaiting.ANSWER
        journey.mode, journey.recheck, journey.answers, journey.started = mode, None, {}, turn.now
        self.diagnostic.fire(journey, "start", target=0)
        turn.say(self.question_reply(conv, self._sequence(conv)[0], intro=True))
        return True

    def recheck(self, turn: Turn, number: int) -> bool:
        """Re-check the questions of one step (from a reminder); the rest stays as it was."""
        conv = turn.conversation
        if self.in_progress(conv):
            turn.say(
                Reply(
                    _("You have a self-assessment in progress; finish it first."),
                    (Choice("menu:assess", _("Continue")),),
                )
            )
            return True
        journey = conv.journey
        if journey.last is None:
            return False
        self.diagnostic.fire(journey, "choose_mode")
        conv.awaiting, journey.mode, journey.recheck = Awaiting.ANSWER, None, number
        journey.answers, journey.started = {}, turn.now
        self.diagnostic.fire(journey, "start", target=0)
        turn.say(self.question_reply(conv, self._sequence(conv)[0], True))
        return True

    def answer(self, turn: Turn, answer_id: str) -> bool:
        conv, journey = turn.conversation, turn.conversation.journey
        question = self.diagnostic.current_question(journey)
        if question is None or journey.state == PAUSED or self.content.answer(answer_id) is None:
            return False
        conv.awaiting = Awaiting.ANSWER
        journey.answers[question.id] = (answer_id, round(turn.now, 3))
        previous_state = journey.state
        self.diagnostic.fire(journey, "answer", target=journey.index + 1)
        if journey.state == SUMMARY:
            self._complete(turn)
            return True
        next_question = self._sequence(conv)[journey.index]
        turn.say(self.question_reply(conv, next_question, intro=journey.state != previous_state))
        return True

    def navigate(self, turn: Turn, value: str) -> bool:
        conv, journey = turn.conversation, turn.conversation.journey
        if value == "back":
            if not self.in_progress(conv) or journey.state == PAUSED:
                return False
            conv.awaiting = Awaiting.ANSWER
            if not self.diagnostic.fire(journey, "back", target=journey.index - 1):
                turn.say(Reply(_("This is the first question.")))
                prompt = self.prompt(conv)
                assert prompt is not None
                turn.say(prompt)
                return True
            question = self._sequence(conv)[journey.index]
            before = journey.answers.pop(question.id, None)
            turn.say(self.question_reply(conv, question, False, before[0] if before else None))
            return True
        if value == "pause":
            if not self.diagnostic.fire(journey, "pause"):
                return False
            conv.awaiting = Awaiting.NOTHING
            turn.say(self.paused_reply())
            return True
        if value == "resume":
            if journey.state != PAUSED:
                return False
            self.assess(turn)
            return True
        if value == "restart":
            if not self.diagnostic.fire(journey, "restart"):
                return False
            conv.awaiting, journey.mode, journey.recheck = Awaiting.ANSWER, None, None
            journey.answers, journey.index = {}, 0
            turn.say(self.mode_reply())
            return True
        return False

    def _complete(self, turn: Turn) -> None:
        conv, journey, plan, now = (
            turn.conversation,
            turn.conversation.journey,
            turn.conversation.plan,
            turn.now,
        )
        answers = journey.answer_ids()
        timed: dict[str, list[Any]] = {q: [a, t] for q, (a, t) in journey.answers.items()}
        check = journey.check
        assert check is not None
        mode = check
        if journey.recheck is not None:  # one step re-checked: the rest stays as it was
            assert journey.last is not None
            timed = {**{q: [a, None] for q, a in journey.last.answers.items()}, **timed}
            plan.done = [q for q in plan.done if q not in answers]
            answers = {**journey.last.answers, **answers}
            mode = journey.last.mode
        else:
            plan.done = []
        forget_met(plan, answers, self.content)
        if journey.last is not None:
            previous = score(self.content, journey.last.answers)
            journey.prior = Previous(
                previous.percents,
                previous.position,
                journey.last.completed,
                dict(journey.last.answers),
                journey.last.mode,
            )
        result = score(self.content, answers, _closed(conv))
        turn.record(
            AssessmentCompleted(
                check, timed, journey.started, now, result.percents, result.position,
                conv.team.answering_for,
            )
        )  # fmt: skip
        journey.last = Assessed(answers, mode, now)
        journey.answers, journey.index, journey.started = {}, 0, None
        journey.mode, journey.recheck, conv.awaiting = None, None, Awaiting.NOTHING

    def latest_summary(self, turn: Turn, peers: str = "") -> None:
        """The summary of the latest assessment; `peers`: how clusters at the same step do
        (`flows.regional.peers`), "" for nothing to add."""
        conv = turn.conversation
        if conv.journey.last is None:
            turn.say(
                Reply(
                    _("You have no completed self-assessment yet."),
                    (Choice("menu:assess", _("Start the self-assessment")),),
                )
            )
            return
        result = score(self.content, conv.journey.last.answers, _closed(conv))
        turn.say(*self.summary_replies(turn, result, peers))

    def summary_replies(self, turn: Turn, result: Result, peers: str = "") -> list[Reply]:
        journey, owned = turn.conversation.journey, turn.conversation.plan
        month = this_month(turn.now, turn.timezone)
        last, prior = journey.last, journey.prior
        comparison, checks = None, ("", "")
        if prior is not None and last is not None:
            comparison = change_since(self.content, result, last.answers, prior)
            checks = (check_name(prior.mode) if prior.mode else "", check_name(last.mode))
        text = summary_text(
            self.content,
            result,
            last.mode if last is not None else None,
            comparison,
            prior.completed if prior is not None else None,
            done=len(owned.done),
            notes={a.question.id: describe(owned, a, month) for a in result.actions},
            answers=last.answers if last is not None else None,
            checks=checks,
        )
        subtitle = ""
        if last is not None:
            subtitle = f"{day(last.completed, current_language())} · {check_name(last.mode)}"
        chart = chart_attachment(self.content, result, last.answers if last else {}, subtitle)
        if peers:
            text += "\n\n" + peers
        # on a phone: where you stand and what to do first, with one compact row of buttons;
        # then the reminder question with only its answers; the chart after them
        row = [Choice("plan:pdf", _("Plan (PDF)"))]
        if result.actions:
            row.append(Choice("own:list", _("Owners")))
        row.append(Choice("sum:more", _("More…")))
        replies = [Reply(text, tuple(row), rows=(len(row),), stays=True)]
        if result.actions:
            question = (
                _("Shall I put these actions in your calendar?")
                if turn.channel.reminder_chat is None  # its buttons give a file
                else _("Shall I remind you of these actions?")
            )
            intervals = (
                Choice("rem:7", _("In a week")),
                Choice("rem:14", _("In two weeks")),
                Choice("rem:30", _("In a month")),
            )
            replies.append(Reply(question, intervals, rows=(3,)))
        replies.append(Reply(_("Readiness per step"), attachment=chart))
        return replies

    def more_reply(self, turn: Turn) -> Reply:
        """The summary's "More…": the step's guidance, the actions' templates, the plan as
        Markdown and a new self-assessment."""
        conv = turn.conversation
        if conv.journey.last is None:
            return Reply(
                _("You have no completed self-assessment yet."),
                (Choice("menu:assess", _("Start the self-assessment")),),
            )
        result = score(self.content, conv.journey.last.answers, _closed(conv))
        choices: list[Choice] = []
        if result.position is not None:
            choices.append(
                Choice(
                    f"guide:{result.position}:tools",
                    _("Guidance for step {number}").format(number=result.position),
                )
            )
        for action in result.actions:  # an action that names a template offers it
            template = self.content.template(action.question.template)
            if template is not None and all(not c.id.startswith(f"tpl:{template.id}:")
                                            for c in choices):  # fmt: skip
                label = _("Download: {title}").format(title=template.title.get(current_language()))
                choices.append(Choice(f"tpl:{template.id}:{action.step}", label))
        choices += [
            Choice("plan:md", _("Action plan (Markdown)")),
            Choice("menu:assess", _("New self-assessment")),
        ]
        return Reply(_("More for your summary:"), tuple(choices))

    async def more_choice(self, turn: Turn, value: str) -> bool:
        if value != "more":
            return False
        turn.say(self.more_reply(turn))
        return True

    def _sequence(self, conv: ConversationState) -> tuple[Question, ...]:
        return self.diagnostic.sequence(conv.journey.mode, conv.journey.recheck)

    def _match_answer(self, text: str) -> str | None:
        needle = text.casefold().rstrip(".!")
        for answer in self.content.answers:
            if needle == answer.id or needle in map(str.casefold, answer.label.by_lang.values()):
                return answer.id
        return None

    # --- replies ----------------------------------------------------------------------------

    def question_reply(
        self, conv: ConversationState, question: Question, intro: bool, before: str | None = None
    ) -> Reply:
        """A question with its answer buttons; `before` is the answer given last time (after
        Back), so the user sees what they are changing."""
        lang = current_language()
        number = self.content.step_of(question.id)
        sequence = self._sequence(conv)
        if number:
            step = self.content.step(number)
            head = _("Step {number} of {total} · {title}").format(
                number=number, total=len(self.content.steps), title=step.title.get(lang)
            )
            intro_text = step.intro.get(lang)
        else:
            head = self.content.funding.title.get(lang)
            intro_text = self.content.funding.intro.get(lang)
        lines = [
            head,
            _("Question {index} of {count}").format(
                index=conv.journey.index + 1, count=len(sequence)
            ),
            "",
        ]
        if intro:
            lines.extend([intro_text, ""])
        lines.extend(
            [question.text.get(lang), "", _("Why we ask: {why}").format(why=question.why.get(lang))]
        )
        answer = self.content.answer(before) if before else None
        if answer is not None:
            lines.extend(["", _("Your answer was: {answer}").format(answer=answer.label.get(lang))])
        choices = [Choice(f"ans:{a.id}", a.label.get(lang)) for a in self.content.answers]
        choices += [Choice("nav:back", _("← Back")), Choice("nav:pause", _("Pause"))]
        return Reply("\n".join(lines), tuple(choices), rows=(len(self.content.answers), 2))

    def minutes(self, mode: str) -> int:
        """How long a check takes, measured on what it shows in the current language: every
        word of each question as the user gets it (its heading, the step's intro where a step
        begins, the question, why we ask, the buttons) at WORDS_PER_MINUTE, and a tap of
        SECONDS_PER_TAP for each answer; rounded up to whole minutes."""
        key = (mode, current_language())
        if key not in self._minutes:
            conv = ConversationState()
            conv.journey.mode = mode
            words, step = 0, None
            for index, question in enumerate(self.diagnostic.sequence(mode)):
                conv.journey.index = index
                begins = self.content.step_of(question.id) != step
                step = self.content.step_of(question.id)
                reply = self.question_reply(conv, question, intro=begins)
                shown = [reply.text, *(c.label for c in reply.choices)]
                words += sum(len(_WORD.findall(text)) for text in shown)
            taps = len(self.diagnostic.sequence(mode))
            seconds = words * 60 / WORDS_PER_MINUTE + taps * SECONDS_PER_TAP
            self._minutes[key] = math.ceil(seconds / 60)
        return self._minutes[key]

    def mode_reply(self) -> Reply:
        full, quick = self.minutes(FULL), self.minutes(QUICK)
        text = "\n\n".join(
            [
                _("How thorough shall we be?"),
                ngettext(
                    "Quick check: the {count} key questions, one per step, about {minutes} minute.",
                    "Quick check: the {count} key questions, one per step, about {minutes} "
                    "minutes.",
                    quick,
                ).format(count=len(self.diagnostic.sequence(QUICK)), minutes=quick),
                ngettext(
                    "Full check: all {count} questions, about {minutes} minute. You can pause "
                    "at any time.",
                    "Full check: all {count} questions, about {minutes} minutes. You can pause "
                    "at any time.",
                    full,
                ).format(count=len(self.diagnostic.sequence(FULL)), minutes=full),
            ]
        )
        return Reply(
            text,
            (Choice("mode:quick", _("Quick check")), Choice("mode:full", _("Full check"))),
            rows=(2,),
        )

    def paused_reply(self) -> Reply:
        return Reply(
            _("Paused. Your answers are saved; continue whenever you like with /assess."),
            (
                Choice("nav:resume", _("Continue")),
                Choice("nav:restart", _("Start over (clears this round)")),
            ),
        )

"""The conversation engine: one Event and the saved record in, Replies and the new record out.

Routes commands, free text and button presses to the diagnostic, the guidance pages and the
glossary. Pure: no I/O; the caller saves the record (and a completed assessment) before it
sends the replies.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

from flows.content_model import Content, Question
from flows.diagnostic import FULL, MODE, PAUSED, QUICK, RECHECK, SUMMARY, Diagnostic
from flows.guide import (
    SECTIONS,
    funding_page,
    glossary_lookup,
    glossary_prompt,
    step_section,
    steps_list,
    term_reply,
)
from flows.i18n import _, current_language, use_language
from flows.messages import Choice, Event, Reply
from flows.scoring import MAX_ACTIONS, Action, Result, compare, score
from flows.state import ConversationState
from flows.summary import chart_attachment, summary_text

MAX_TEXT_INPUT = 4096
# Buttons of these kinds act on the diagnostic's position: they are valid only while the
# position they were shown for is current (see `position_token`). Other buttons are stateless.
POSITIONAL_KINDS = frozenset({"ans", "nav", "mode"})


def is_positional(choice_id: str) -> bool:
    return choice_id.partition(":")[0] in POSITIONAL_KINDS


def position_token(record: ConversationState) -> str:
    """A short token that changes whenever the diagnostic moves (state, question, round), so a
    button shown for an earlier position, or tapped twice, is recognised as stale."""
    key = f"{record.state}|{record.mode}|{record.index}|{record.started}|{record.last_completed}"
    return format(zlib.crc32(key.encode()) & 0xFFFFFF, "x")


@dataclass(frozen=True)
class Completed:
    """A finished assessment, for the caller to store."""

    mode: str
    answers: dict[str, list[Any]]
    started: float | None
    completed: float
    percents: tuple[int | None, ...]
    position: int | None


@dataclass
class Outcome:
    replies: list[Reply] = field(default_factory=list)
    completed: Completed | None = None


class Engine:
    """Handles events for every conversation; one per content, shared and stateless."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.diagnostic = Diagnostic(content)

    # --- entry point ------------------------------------------------------------------------

    def handle(self, record: ConversationState, event: Event, now: float) -> Outcome:
        with use_language(record.lang):
            outcome = Outcome()
            if event.kind == "command":
                self._command(record, event, now, outcome)
            elif event.kind == "choice":
                self._choice(record, event.value, now, outcome)
            else:
                self._text(record, event.value, now, outcome)
            return outcome

    def prompt(self, record: ConversationState) -> Reply:
        """What the conversation is waiting for now (used to re-prompt after bad input)."""
        question = self.diagnostic.current_question(record)
        if record.flow == "glossary":
            return glossary_prompt(self.content)
        if record.state == PAUSED:
            return self._paused_reply()
        if record.flow == "diagnostic" and question is not None:
            return self._question_reply(record, question, intro=False)
        if record.flow == "diagnostic" and record.state == MODE:
            return self._mode_reply()
        return self._menu_reply(record)

    # --- commands ---------------------------------------------------------------------------

    def _command(self, record: ConversationState, event: Event, now: float,
                 out: Outcome) -> None:
        name, arg = event.value.lower(), event.arg.strip()
        if name == "start":
            if arg == "assess":
                self._assess(record, out)
            elif arg == "steps":
                self._command(record, Event("command", "steps"), now, out)
            elif arg == "glossary":
                self._command(record, Event("command", "glossary"), now, out)
            else:
                record.flow = "menu"
                out.replies.append(self._welcome_reply(record))
        elif name == "assess":
            self._assess(record, out)
        elif name == "summary":
            record.flow = "menu"
            self._latest_summary(record, out)
        elif name == "steps":
            record.flow = "menu"
            out.replies.append(steps_list(self.content))
        elif name == "glossary":
            if arg:
                record.flow = "menu"
                out.replies.append(glossary_lookup(self.content, arg))
            else:
                record.flow = "glossary"
                out.replies.append(glossary_prompt(self.content))
        elif name == "language":
            out.replies.append(self._language_reply())
        elif name == "help":
            out.replies.append(self._help_reply())
        else:
            out.replies.append(Reply(_("Sorry, I don't know that command. Send /help to see "
                                       "what I can do.")))
            out.replies.append(self.prompt(record))

    # --- buttons ----------------------------------------------------------------------------

    def _choice(self, record: ConversationState, choice: str, now: float, out: Outcome) -> None:
        kind, _sep, value = choice.partition(":")
        handled = True
        if kind == "ans":
            handled = self._answer(record, value, now, out)
        elif kind == "mode" and value in (QUICK, FULL):
            handled = self._start(record, value, now, out)
        elif kind == "nav":
            handled = self._navigate(record, value, out)
        elif kind == "menu":
            command = {"assess": "assess", "steps": "steps", "glossary": "glossary",
                       "summary": "summary", "language": "language", "home": "start"}.get(value)
            if command:
                self._command(record, Event("command", command), now, out)
            else:
                handled = False
        elif kind == "guide":
            handled = self._guide(record, value, out)
        elif kind == "glossary" and value == "list":
            record.flow = "glossary"
            out.replies.append(glossary_prompt(self.content))
        elif kind == "term":
            term = next((t for t in self.content.glossary if t.id == value), None)
            if term:
                out.replies.append(term_reply(term))
            else:
                handled = False
        elif kind == "act":
            handled = self._action(record, value, now, out)
        elif kind == "lang" and value in ("sv", "en"):
            record.lang = value
            with use_language(value):
                out.replies.append(Reply(_("I will speak English from now on.")))
                out.replies.append(self.prompt(record))
        else:
            handled = False
        if not handled:
            out.replies.append(Reply(_("That button is no longer active.")))
            out.replies.append(self.prompt(record))

    def _guide(self, record: ConversationState, value: str, out: Outcome) -> bool:
        record.flow = "menu"
        if value == "list":
            out.replies.append(steps_list(self.content))
            return True
        if value == "funding":
            out.replies.append(funding_page(self.content))
            return True
        number, _sep, section = value.partition(":")
        if not number.isdigit() or not 1 <= int(number) <= len(self.content.steps):
            return False
        if section and section not in SECTIONS:
            return False
        out.replies.append(step_section(self.content, int(number), section or "overview"))
        return True

    # --- free text --------------------------------------------------------------------------

    def _text(self, record: ConversationState, text: str, now: float, out: Outcome) -> None:
        text = text.strip()
        if record.flow == "glossary" and text:
            out.replies.append(glossary_lookup(self.content, text[:MAX_TEXT_INPUT]))
            return
        question = self.diagnostic.current_question(record)
        if record.flow == "diagnostic" and question is not None and record.state != PAUSED:
            answer = self._match_answer(text)
            if answer:
                self._answer(record, answer, now, out)
                return
            labels = [a.label.get(current_language()) for a in self.content.answers]
            out.replies.append(Reply(_("Please answer with one of the buttons: {answers}.")
                                     .format(answers=", ".join(labels))))
            out.replies.append(self._question_reply(record, question, intro=False))
            return
        if record.flow == "diagnostic" and record.state == MODE:
            mode = {_("Quick check").casefold(): QUICK, _("Full check").casefold(): FULL}
            if text.casefold() in mode:
                self._start(record, mode[text.casefold()], now, out)
                return
        out.replies.append(Reply(_("I didn't catch that. Use the buttons, or send /help.")))
        out.replies.append(self.prompt(record))

    def _match_answer(self, text: str) -> str | None:
        needle = text.casefold().rstrip(".!")
        for answer in self.content.answers:
            if needle in (answer.id, answer.label.en.casefold(), answer.label.sv.casefold()):
                return answer.id
        return None

    # --- the diagnostic ---------------------------------------------------------------------

    def _assess(self, record: ConversationState, out: Outcome) -> None:
        record.flow = "diagnostic"
        if record.state == PAUSED:
            self.diagnostic.fire(record, "resume")
        question = self.diagnostic.current_question(record)
        if question is not None:
            out.replies.append(self._question_reply(record, question, intro=True))
            return
        self.diagnostic.fire(record, "choose_mode")
        out.replies.append(self._mode_reply())

    def _start(self, record: ConversationState, mode: str, now: float, out: Outcome) -> bool:
        if record.state != MODE:
            return False
        record.flow = "diagnostic"
        record.mode, record.answers, record.started = mode, {}, now
        self.diagnostic.fire(record, "start", target=0)
        out.replies.append(self._question_reply(record, self._sequence(record)[0], intro=True))
        return True

    def _answer(self, record: ConversationState, answer_id: str, now: float,
                out: Outcome) -> bool:
        question = self.diagnostic.current_question(record)
        if (question is None or record.state == PAUSED
                or self.content.answer(answer_id) is None):
            return False
        record.flow = "diagnostic"
        record.answers[question.id] = [answer_id, round(now, 3)]
        previous_state = record.state
        self.diagnostic.fire(record, "answer", target=record.index + 1)
        if record.state == SUMMARY:
            self._complete(record, now, out)
            return True
        next_question = self._sequence(record)[record.index]
        out.replies.append(self._question_reply(record, next_question,
                                                intro=record.state != previous_state))
        return True

    def _navigate(self, record: ConversationState, value: str, out: Outcome) -> bool:
        if value == "back":
            if self.diagnostic.current_question(record) is None or record.state == PAUSED:
                return False
            record.flow = "diagnostic"
            if not self.diagnostic.fire(record, "back", target=record.index - 1):
                out.replies.append(Reply(_("This is the first question.")))
            else:
                record.answers.pop(self._sequence(record)[record.index].id, None)
            out.replies.append(self.prompt(record))
            return True
        if value == "pause":
            if not self.diagnostic.fire(record, "pause"):
                return False
            record.flow = "menu"
            out.replies.append(self._paused_reply())
            return True
        if value == "resume":
            if record.state != PAUSED:
                return False
            self._assess(record, out)
            return True
        if value == "restart":
            if not self.diagnostic.fire(record, "restart"):
                return False
            record.flow, record.mode, record.answers, record.index = "diagnostic", None, {}, 0
            out.replies.append(self._mode_reply())
            return True
        return False

    def _complete(self, record: ConversationState, now: float, out: Outcome) -> None:
        answers = record.answer_ids()
        timed = dict(record.answers)
        assert record.mode is not None
        mode = record.mode
        if mode.startswith(RECHECK):  # one step re-checked: the rest stays as it was
            assert record.last is not None
            timed = {**{q: [a, None] for q, a in record.last.items()}, **timed}
            record.done = [q for q in record.done if q not in answers]
            answers = {**record.last, **answers}
            mode = record.last_mode or QUICK
        else:
            record.done = []
        if record.last is not None:
            previous = score(self.content, record.last)
            record.prior, record.prior_position = list(previous.percents), previous.position
            record.prior_completed = record.last_completed
        result = score(self.content, answers, frozenset(record.done))
        out.completed = Completed(record.mode, timed, record.started, now,
                                  result.percents, result.position)
        record.last, record.last_mode, record.last_completed = answers, mode, now
        record.answers, record.index, record.started, record.flow = {}, 0, None, "menu"
        record.mode = None
        out.replies.extend(self._summary_replies(record, result))

    def _action(self, record: ConversationState, value: str, now: float, out: Outcome) -> bool:
        """Buttons of a reminder: mark an action done, or re-check one step's questions."""
        kind, _sep, target = value.partition(":")
        if kind == "done" and record.last is not None and target in record.last \
                and self.content.question(target) is not None:
            if target not in record.done:
                record.done.append(target)
            out.replies.append(self.reminder_reply(record))
            return True
        if kind == "recheck" and target.isdigit() and 1 <= int(target) <= len(self.content.steps):
            if self.diagnostic.current_question(record) is not None:
                out.replies.append(Reply(_("You have a self-assessment in progress; finish it "
                                           "first."), (Choice("menu:assess", _("Continue")),)))
                return True
            if record.last is None:
                return False
            self.diagnostic.fire(record, "choose_mode")
            record.flow, record.mode = "diagnostic", f"{RECHECK}{target}"
            record.answers, record.started = {}, now
            self.diagnostic.fire(record, "start", target=0)
            out.replies.append(self._question_reply(record, self._sequence(record)[0], True))
            return True
        return False

    def reminder_reply(self, record: ConversationState, workshop_step: int | None = None,
                       intro: str = "") -> Reply:
        """The open next actions with buttons to tick them off and to re-check the step."""
        lang = current_language()
        done = frozenset(record.done)
        if record.last is not None:
            result = score(self.content, record.last, done)
            step, actions = result.position, result.actions
        elif workshop_step is not None:  # a workshop participant without an assessment yet
            step = workshop_step
            actions = tuple(Action(step, q) for q in self.content.step(step).questions
                            if q.id not in done)[:MAX_ACTIONS]
        else:
            text = _("You have no next actions yet: start with the self-assessment.")
            return Reply(f"{intro}\n\n{text}" if intro else text,
                         (Choice("menu:assess", _("Start the self-assessment")),))
        lines = [intro] if intro else []
        if step is None:
            lines.append(_("Every step is above the readiness threshold. Keep your networks "
                           "alive, and take a new self-assessment with new goals."))
        elif actions:
            title = self.content.step(step).title.get(lang)
            lines.append(_("Your next actions (step {number}: {title}):").format(
                number=step, title=title))
            lines.extend(f"{i}. {a.question.action.get(lang)}"
                         for i, a in enumerate(actions, start=1))
            lines.append("")
            lines.append(_("Tick off what you have done:"))
        choices = [Choice(f"act:done:{a.question.id}", _("✓ {number} done").format(number=i))
                   for i, a in enumerate(actions, start=1)]
        if step is not None:
            step_actions_left = [a for a in actions if a.step == step]
            if not step_actions_left and step < len(self.content.steps):
                lines.append(_("Every action of step {number} is done: check whether you are "
                               "ready for step {next}.").format(number=step, next=step + 1))
                choices.append(Choice(f"act:recheck:{step}",
                                      _("Re-check step {number}").format(number=step)))
                choices.append(Choice(f"act:recheck:{step + 1}",
                                      _("Questions of step {number}").format(number=step + 1)))
            elif record.last is not None:
                choices.append(Choice(f"act:recheck:{step}",
                                      _("Re-check step {number} (a minute)").format(
                                          number=step)))
        choices.append(Choice("rem:snooze", _("Snooze a week")))
        return Reply("\n".join(lines).strip(), tuple(choices),
                     rows=(len(actions), *([1] * (len(choices) - len(actions)))))

    def _latest_summary(self, record: ConversationState, out: Outcome) -> None:
        if record.last is None:
            out.replies.append(Reply(_("You have no completed self-assessment yet."),
                                     (Choice("menu:assess", _("Start the self-assessment")),)))
            return
        result = score(self.content, record.last, frozenset(record.done))
        out.replies.extend(self._summary_replies(record, result))

    def _summary_replies(self, record: ConversationState, result: Result) -> list[Reply]:
        comparison = None
        if record.prior is not None:
            comparison = compare(result, record.prior, record.prior_position)
        text = summary_text(self.content, result, record.last_mode, comparison,
                            record.prior_completed, done=len(record.done))
        choices = []
        if result.position is not None:
            choices.append(Choice(f"guide:{result.position}:tools",
                                  _("Guidance for step {number}").format(number=result.position)))
        choices += [Choice("rem:7", _("In a week")), Choice("rem:14", _("In two weeks")),
                    Choice("rem:30", _("In a month"))]
        choices.append(Choice("menu:assess", _("New self-assessment")))
        chart = chart_attachment(self.content, result)
        if result.actions:
            text += "\n\n" + _("Shall I remind you of these actions?")
        return [Reply(chart.caption, attachment=chart),
                Reply(text, tuple(choices), rows=(*([1] * (len(choices) - 4)), 3, 1))]

    def _sequence(self, record: ConversationState) -> tuple[Question, ...]:
        return self.diagnostic.sequence(record.mode)

    # --- replies ----------------------------------------------------------------------------

    def _question_reply(self, record: ConversationState, question: Question,
                        intro: bool) -> Reply:
        lang = current_language()
        number = self.content.step_of(question.id)
        sequence = self._sequence(record)
        if number:
            step = self.content.step(number)
            head = _("Step {number} of {total} · {title}").format(
                number=number, total=len(self.content.steps), title=step.title.get(lang))
            intro_text = step.intro.get(lang)
        else:
            head = self.content.funding.title.get(lang)
            intro_text = self.content.funding.intro.get(lang)
        lines = [head, _("Question {index} of {count}").format(index=record.index + 1,
                                                              count=len(sequence)), ""]
        if intro:
            lines.extend([intro_text, ""])
        lines.extend([question.text.get(lang), "", _("Why we ask: {why}").format(
            why=question.why.get(lang))])
        choices = [Choice(f"ans:{a.id}", a.label.get(lang)) for a in self.content.answers]
        choices += [Choice("nav:back", _("← Back")), Choice("nav:pause", _("Pause"))]
        return Reply("\n".join(lines), tuple(choices), rows=(len(self.content.answers), 2))

    def _mode_reply(self) -> Reply:
        full = len(self.diagnostic.sequence(FULL))
        text = "\n\n".join([
            _("How thorough shall we be?"),
            _("Quick check: the {count} key questions, one per step, about three minutes.")
            .format(count=len(self.diagnostic.sequence(QUICK))),
            _("Full check: all {count} questions, about fifteen minutes. You can pause at any "
              "time.").format(count=full),
        ])
        return Reply(text, (Choice("mode:quick", _("Quick check")),
                            Choice("mode:full", _("Full check"))), rows=(2,))

    def _paused_reply(self) -> Reply:
        return Reply(_("Paused. Your answers are saved; continue whenever you like with "
                       "/assess."),
                     (Choice("nav:resume", _("Continue")),
                      Choice("nav:restart", _("Start over (clears this round)"))))

    def _menu_choices(self, record: ConversationState) -> tuple[Choice, ...]:
        in_progress = self.diagnostic.current_question(record) is not None
        first = _("Continue the self-assessment") if in_progress else _(
            "Start the self-assessment")
        choices = [Choice("menu:assess", first), Choice("menu:steps", _("Browse the ten steps"))]
        if record.last is not None:
            choices.append(Choice("menu:summary", _("My latest summary")))
        choices += [Choice("menu:glossary", _("Glossary")),
                    Choice("menu:language", _("Språk / Language"))]
        return tuple(choices)

    def _menu_reply(self, record: ConversationState) -> Reply:
        return Reply(_("What would you like to do?"), self._menu_choices(record))

    def _welcome_reply(self, record: ConversationState) -> Reply:
        lang = current_language()
        text = "\n\n".join([
            _("Welcome to Cluster Journey!"),
            self.content.about.get(lang),
            _("Start with a self-assessment: answer a few questions per step and get a "
              "readiness summary with your next actions."),
        ])
        return Reply(text, self._menu_choices(record))

    def _language_reply(self) -> Reply:
        return Reply(_("Choose your language:"),
                     (Choice("lang:sv", "Svenska"), Choice("lang:en", "English")), rows=(2,))

    def _help_reply(self) -> Reply:
        return Reply("\n".join([
            _("What I can do:"),
            _("/assess – start or continue the self-assessment"),
            _("/summary – your latest readiness summary"),
            _("/steps – browse the ten steps of the journey"),
            _("/glossary – look up a term"),
            _("/workshop – create or join a workshop"),
            _("/remind – your reminders"),
            _("/language – switch between Swedish and English"),
            _("/privacy – what is stored about you; /delete – erase it"),
            _("/help – this help"),
        ]))

"""A workshop participant's three questions (step, challenges, support and from whom) as a small
`transitions` machine, with the replies for each stage. Pure: the caller loads and saves the
participant's answers (language-neutral codes plus free text) and the stage."""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise

from transitions import Machine

from flows.content_model import Content
from flows.i18n import _, current_language
from flows.messages import Choice, Event, Reply
from flows.workshop_results import ParticipantAnswers

STAGES = ("step", "challenges", "kinds", "sources", "from", "done")
QUICK = "quick"  # taking the quick check to find the step
MAX_CHALLENGES = 20
MAX_FREE_TEXT = 1000


@dataclass
class Turn:
    stage: str
    answers: ParticipantAnswers
    replies: list[Reply]
    changed: bool = False  # the answers changed (the live results need an update)
    start_quick_check: bool = False


class _Model:
    def __init__(self, stage: str) -> None:
        self.stage = stage


class ParticipantFlow:
    def __init__(self, content: Content) -> None:
        self.content = content
        transitions = [{"trigger": "advance", "source": a, "dest": b}
                       for a, b in pairwise(STAGES)]
        transitions += [
            {"trigger": "change", "source": "done", "dest": "step"},
            {"trigger": "check", "source": "step", "dest": QUICK},
            {"trigger": "choose_step", "source": QUICK, "dest": "step"},
        ]
        self.machine = Machine(model=None, states=[*STAGES, QUICK], transitions=transitions,
                               initial="step", auto_transitions=False,
                               ignore_invalid_triggers=True, model_attribute="stage")

    def _fire(self, stage: str, trigger: str) -> str:
        model = _Model(stage)
        self.machine.add_model(model, initial=stage)
        try:
            getattr(model, trigger)()
            return model.stage
        finally:
            self.machine.remove_model(model)

    # --- events ---------------------------------------------------------------------------

    def handle(self, stage: str, answers: ParticipantAnswers, event: Event, title: str) -> Turn:
        if event.kind == "choice":
            return self._choice(stage, answers, event.value.partition(":")[2], title)
        if event.kind == "text":
            return self._text(stage, answers, event.value.strip(), title)
        return Turn(stage, answers, [self.prompt(stage, answers, title)])

    def _choice(self, stage: str, answers: ParticipantAnswers, choice: str,
                title: str) -> Turn:
        kind, _sep, value = choice.partition(":")
        if kind == "step" and stage in ("step", QUICK) and value.isdigit() \
                and 1 <= int(value) <= len(self.content.steps):
            answers = replace(answers, step=int(value))
            stage = self._fire(self._fire(stage, "choose_step"), "advance")
            return Turn(stage, answers, [self.prompt(stage, answers, title)], changed=True)
        if kind == "quick" and stage == "step":
            return Turn(self._fire(stage, "check"), answers, [], start_quick_check=True)
        if kind == "pick" and stage == QUICK:  # choose the step without the quick check
            stage = self._fire(stage, "choose_step")
            return Turn(stage, answers, [self.prompt(stage, answers, title)])
        if kind == "next" and stage in ("challenges", "kinds", "sources", "from"):
            stage = self._fire(stage, "advance")
            return Turn(stage, answers, [self.prompt(stage, answers, title)])
        if kind in ("kind", "src") and stage == ("kinds" if kind == "kind" else "sources"):
            return self._toggle(stage, answers, kind, value, title)
        if kind == "resume" and stage != "done":  # back to the question after a detour
            return Turn(stage, answers, [self.prompt(stage, answers, title)])
        if kind == "change" and stage == "done":
            stage = self._fire(stage, "change")
            return Turn(stage, answers, [self.prompt(stage, answers, title)])
        return Turn(stage, answers, [Reply(_("That button is no longer active.")),
                                     self.prompt(stage, answers, title)])

    def _toggle(self, stage: str, answers: ParticipantAnswers, kind: str, value: str,
                title: str) -> Turn:
        options = self.content.workshop.support_kinds if kind == "kind" \
            else self.content.workshop.support_sources
        if value not in {o.id for o in options}:
            return Turn(stage, answers, [Reply(_("That button is no longer active.")),
                                         self.prompt(stage, answers, title)])
        chosen = answers.support_kinds if kind == "kind" else answers.support_sources
        chosen = tuple(o.id for o in options
                       if (o.id in chosen) != (o.id == value))  # toggle, in content order
        if kind == "kind":
            answers = replace(answers, support_kinds=chosen)
        else:
            answers = replace(answers, support_sources=chosen)
        return Turn(stage, answers, [self.prompt(stage, answers, title)], changed=True)

    def _text(self, stage: str, answers: ParticipantAnswers, text: str, title: str) -> Turn:
        if stage == "challenges" and text:
            if len(answers.challenges) >= MAX_CHALLENGES:
                return Turn(stage, answers, [Reply(_("That is as many challenges as I can take. "
                                                     "Press Done to go on."),
                                                   self._next_choice(_("Done →")))])
            answers = replace(answers, challenges=(*answers.challenges, text[:MAX_FREE_TEXT]))
            return Turn(stage, answers, [Reply(
                _("Noted ({count}). Write another challenge, or press Done.").format(
                    count=len(answers.challenges)), self._next_choice(_("Done →")))],
                changed=True)
        if stage == "from" and text:
            answers = replace(answers, support_from=text[:MAX_FREE_TEXT])
            stage = self._fire(stage, "advance")
            return Turn(stage, answers, [self.prompt(stage, answers, title)], changed=True)
        return Turn(stage, answers, [Reply(_("Please use the buttons below.")),
                                     self.prompt(stage, answers, title)])

    # --- replies --------------------------------------------------------------------------

    @staticmethod
    def _next_choice(label: str) -> tuple[Choice, ...]:
        return (Choice("ws:next", label),)

    def prompt(self, stage: str, answers: ParticipantAnswers, title: str) -> Reply:
        lang = current_language()
        w = self.content.workshop
        head = _("Workshop: {title}").format(title=title)
        if stage in ("step", QUICK):
            choices = [Choice(f"ws:step:{s.number}", f"{s.number}. {s.short.get(lang)}")
                       for s in self.content.steps]
            choices.append(Choice("ws:quick", _("Not sure – take the quick check")))
            number = _("Question 1 of 3")
            text = f"{head}\n\n{w.intro.get(lang)}\n\n{number}\n{w.questions.step.get(lang)}"
            return Reply(text, tuple(choices), rows=(2, 2, 2, 2, 2, 1))
        if stage == "challenges":
            number = _("Question 2 of 3")
            hint = _("Write them as messages, one challenge per message. Press Done when you "
                     "have finished.")
            text = f"{head}\n\n{number}\n{w.questions.challenges.get(lang)}\n\n{hint}"
            return Reply(text, self._next_choice(_("Done →")))
        if stage in ("kinds", "sources"):
            kinds = stage == "kinds"
            options = w.support_kinds if kinds else w.support_sources
            chosen = answers.support_kinds if kinds else answers.support_sources
            prefix = "kind" if kinds else "src"
            question = w.questions.support if kinds else w.questions.support_from
            hint = _("Choose as many as you like, then press Next.")
            number = _("Question 3 of 3")
            text = f"{head}\n\n{number}\n{question.get(lang)}\n\n{hint}"
            choices = [Choice(f"ws:{prefix}:{o.id}",
                              ("✓ " if o.id in chosen else "") + o.label.get(lang))
                       for o in options]
            choices.append(Choice("ws:next", _("Next →")))
            return Reply(text, tuple(choices))
        if stage == "from":
            text = f"{head}\n\n{w.questions.support_from.get(lang)}\n\n" + _(
                "Anyone else, in your own words? Write it as a message, or press Skip.")
            return Reply(text, self._next_choice(_("Skip →")))
        return self.done_reply(answers, title)

    def done_reply(self, answers: ParticipantAnswers, title: str) -> Reply:
        lang = current_language()
        step = self.content.step(answers.step).title.get(lang) if answers.step else "–"
        lines = [_("Thank you! Your answers to “{title}” are in.").format(title=title), "",
                 _("Step: {step}").format(step=step),
                 _("Challenges: {count}").format(count=len(answers.challenges)),
                 _("Support: {kinds}").format(kinds=", ".join(
                     o.label.get(lang) for o in self.content.workshop.support_kinds
                     if o.id in answers.support_kinds) or "–"),
                 "", _("You can change your answers until the workshop closes.")]
        choices = [Choice("ws:change", _("Change my answers"))]
        if answers.step:
            choices.append(Choice(f"guide:{answers.step}:tools",
                                  _("Guidance for step {number}").format(number=answers.step)))
            choices.append(Choice("rem:7", _("Remind me of my next steps in a week")))
        return Reply("\n".join(lines), tuple(choices))

    def quick_check_result(self, position: int | None, title: str) -> Reply:
        """After the quick check: propose its position as the answer to question 1."""
        lang = current_language()
        number = position or len(self.content.steps)
        step = self.content.step(number)
        text = _("Workshop: {title}").format(title=title) + "\n\n" + _(
            "Your quick check puts you at step {number}: {step}. Use that as your answer?"
        ).format(number=number, step=step.title.get(lang))
        return Reply(text, (Choice(f"ws:step:{number}", _("Yes, step {number}").format(
            number=number)), Choice("ws:pick", _("I'll choose myself"))), rows=(1, 1))

"""Who owns an action and by when, and the state that follows: open, overdue, done or not
relevant. Actions are known by their question's id; the state lives in the user's record, so
it survives a new assessment for as long as the question stays unmet. Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_date

from flows.actionplan.state import ActionPlanState
from flows.content_model import Content, Question
from flows.i18n import _, current_language
from flows.locales import language
from flows.messages import PlanState
from flows.reminders.timing import zone
from flows.scoring import Action, next_actions
from flows.summary import step_word

MAX_OWNER = 60  # characters: a name and a role, "Anna Berg / styrelsen"
MONTHS_AHEAD = 6  # due months offered as buttons, this month first


def this_month(now: float, zone_name: str) -> str:
    """The current month in the user's zone, "YYYY-MM"."""
    return datetime.fromtimestamp(now, UTC).astimezone(zone(zone_name)).strftime("%Y-%m")


def months_from(month: str, count: int = MONTHS_AHEAD) -> list[str]:
    year, number = (int(part) for part in month.split("-"))
    out = []
    for _month in range(count):
        out.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return out


def is_month(text: str) -> bool:
    year, sep, number = text.partition("-")
    return bool(sep) and year.isdigit() and len(year) == 4 and number in _MONTHS


_MONTHS = {f"{n:02d}" for n in range(1, 13)}


def month_label(month: str, lang: str, short: bool = False) -> str:
    """A month in words: "mars 2027" / "March 2027" (short, for buttons: "Mar 2027")."""
    year, number = (int(part) for part in month.split("-"))
    pattern = "LLL y" if short else "LLLL y"
    return format_date(date(year, number, 1), pattern, locale=language(lang).babel)


def state_of(plan: ActionPlanState, question_id: str, month: str) -> PlanState:
    if question_id in plan.done:
        return "done"
    if question_id in plan.dropped:
        return "dropped"
    due = plan.due.get(question_id)
    return "overdue" if due is not None and due < month else "open"


def open_actions(
    content: Content, answers: dict[str, str], position: int | None, plan: ActionPlanState
) -> tuple[Action, ...]:
    """The next actions still to do: neither done nor dropped, at most five."""
    return next_actions(content, answers, position, frozenset(plan.done) | set(plan.dropped))


def plan_actions(
    content: Content, answers: dict[str, str], position: int | None, plan: ActionPlanState
) -> tuple[Action, ...]:
    """The plan's actions in journey order: the open ones and, so the board sees them, those
    done or dropped whose questions this assessment left unmet."""
    closed = [
        Action(number, q)
        for number in range(len(content.steps) + 1)
        for q in _questions(content, number)
        if (q.id in plan.done or q.id in plan.dropped) and _unmet(content, answers, q.id)
    ]
    actions = {a.question.id: a for a in (*open_actions(content, answers, position, plan), *closed)}
    return tuple(sorted(actions.values(), key=lambda a: (a.step, _index(content, a))))


def _questions(content: Content, number: int) -> tuple[Question, ...]:
    """A step's questions; 0: the funding track's."""
    return content.step(number).questions if number else content.funding.questions


def reminder_order(
    actions: tuple[Action, ...], plan: ActionPlanState, month: str
) -> tuple[Action, ...]:
    """Overdue actions first, then those due this month, then the rest as they came."""

    def rank(action: Action) -> int:
        due = plan.due.get(action.question.id)
        if due is None:
            return 2
        return 0 if due < month else 1 if due == month else 2

    return tuple(sorted(actions, key=rank))


def forget_met(plan: ActionPlanState, answers: dict[str, str], content: Content) -> None:
    """After a new assessment: what is now met needs no owner, date or note any more."""
    for question_id in list(plan.owners) + list(plan.due) + list(plan.dropped):
        if not _unmet(content, answers, question_id):
            plan.owners.pop(question_id, None)
            plan.due.pop(question_id, None)
            if question_id in plan.dropped:
                plan.dropped.remove(question_id)


def _unmet(content: Content, answers: dict[str, str], question_id: str) -> bool:
    answer = content.answer(answers.get(question_id, ""))
    return answer is not None and answer.score < 100


def _index(content: Content, action: Action) -> int:
    return [q.id for q in _questions(content, action.step)].index(action.question.id)


def describe(plan: ActionPlanState, action: Action, month: str) -> str:
    """An action's step and what the user set, for lists: "(step 3 · Anna · March 2027)"."""
    question_id = action.question.id
    parts = [step_word(action.step)]
    if question_id in plan.owners:
        parts.append(plan.owners[question_id])
    if question_id in plan.due:
        parts.append(month_label(plan.due[question_id], current_language()))
    state = state_of(plan, question_id, month)
    if state != "open":
        parts.append(state_word(state))
    return "(" + " · ".join(parts) + ")"


def state_word(state: PlanState) -> str:
    return {
        "open": _("open"),
        "overdue": _("overdue"),
        "done": _("done"),
        "dropped": _("not relevant"),
    }[state]

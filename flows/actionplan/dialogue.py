"""What users do with the action plan: `/plan` (the latest plan as PDF and Markdown), a plan of
an earlier assessment, the cluster's name on it (asked once, optional, changeable), and the
actions someone owns: an owner, a due month, done, or not relevant."""

from __future__ import annotations

from flows.actionplan.document import build_plan, check_name, day, file_name
from flows.actionplan.ownership import (
    MAX_OWNER,
    describe,
    is_month,
    month_label,
    months_from,
    plan_actions,
    state_of,
    state_word,
    this_month,
)
from flows.content_model import Content
from flows.i18n import _, current_language
from flows.journey.state import Assessed, Previous
from flows.messages import Attachment, Choice, PlanDocument, Reply
from flows.scoring import Action, score
from flows.state import Awaiting
from flows.turn import Turn

MAX_NAME = 80
EARLIER = 8  # earlier assessments offered as buttons
KINDS = ("pdf", "md")


def cluster_name(text: str) -> str | None:
    """A cluster's name as typed (for the plan, or a team): spaces tidied; None when empty or
    longer than MAX_NAME."""
    name = " ".join(text.split())
    return name if name and len(name) <= MAX_NAME else None


def name_refused() -> Reply:
    return Reply(_("Please send a name of at most {count} characters.").format(count=MAX_NAME))


class Plans:
    """The /plan and action-ownership routes; one per content, stateless."""

    def __init__(self, content: Content) -> None:
        self.content = content

    # --- the plan ----------------------------------------------------------------------------

    async def plan_command(self, turn: Turn, _arg: str) -> None:
        turn.conversation.awaiting = Awaiting.NOTHING
        await self._deliver(turn, KINDS)

    async def plan_choice(self, turn: Turn, value: str) -> bool:
        conv = turn.conversation
        kind, _sep, target = value.partition(":")
        if kind in KINDS and not target:
            conv.awaiting = Awaiting.NOTHING
            await self._deliver(turn, (kind,))
            return True
        if kind == "both" and target.isdigit():
            conv.awaiting = Awaiting.NOTHING
            return await self._deliver_earlier(turn, int(target))
        if kind == "earlier":
            return await self._earlier_menu(turn)
        if kind == "name":
            conv.awaiting, conv.plan.editing, conv.plan.pending = Awaiting.PLAN_CLUSTER, None, ()
            turn.say(self._name_prompt(rename=True))
            return True
        if kind == "skip" and conv.awaiting == Awaiting.PLAN_CLUSTER:
            return await self._named(turn, "")
        return False

    async def name_text(self, turn: Turn, text: str) -> bool:
        name = cluster_name(text)
        if name is None:
            turn.say(
                name_refused(),
                self._name_prompt(rename=turn.conversation.plan.cluster is not None),
            )
            return True
        return await self._named(turn, name)

    async def _named(self, turn: Turn, name: str) -> bool:
        conv = turn.conversation
        conv.plan.cluster, conv.awaiting = name, Awaiting.NOTHING
        pending, conv.plan.editing, conv.plan.pending = conv.plan.pending, None, ()
        turn.say(
            Reply(_("The plan will carry the name “{name}”.").format(name=name))
            if name
            else Reply(_("Fine: the plan carries no name. Add one any time from /plan."))
        )
        kinds = tuple(k for k in pending if k in KINDS)
        if kinds:
            await self._deliver(turn, kinds)
        return True

    def _name_prompt(self, rename: bool) -> Reply:
        text = _(
            "What is your cluster called? The name goes at the top of the action plan. Send it, "
            "or skip."
        )
        if rename:
            text = _("Send the cluster's new name for the action plan.")
        return Reply(text, (Choice("plan:skip", _("No name")),))

    async def _deliver(self, turn: Turn, kinds: tuple[str, ...]) -> None:
        conv = turn.conversation
        if conv.journey.last is None:
            turn.say(self._none_yet())
            return
        if conv.plan.cluster is None:  # asked once, before the first plan
            conv.awaiting, conv.plan.editing = Awaiting.PLAN_CLUSTER, None
            conv.plan.pending = kinds
            turn.say(self._name_prompt(rename=False))
            return
        self._documents(turn, conv.journey.last, conv.journey.prior, kinds)
        turn.say(self._plan_menu(turn))

    async def _earlier_menu(self, turn: Turn) -> bool:
        done = await turn.store.journey.assessments(turn.user_id)
        if not done:
            turn.say(self._none_yet())
            return True
        lang = current_language()
        choices = [
            Choice(f"plan:both:{a.id}", f"{day(a.completed, lang)} · {check_name(a.mode)}")
            for a in reversed(done[-EARLIER:])
        ]
        turn.say(Reply(_("Which assessment shall the plan come from?"), tuple(choices)))
        return True

    async def _deliver_earlier(self, turn: Turn, assessment_id: int) -> bool:
        done = await turn.store.journey.assessments(turn.user_id)
        index = next((i for i, a in enumerate(done) if a.id == assessment_id), None)
        if index is None:
            return False
        if turn.conversation.plan.cluster is None:
            turn.conversation.plan.cluster = (
                ""  # they chose a plan: do not hold it up with a question
            )
        chosen = done[index]
        before = done[index - 1] if index > 0 else None
        previous = Previous(before.percents, before.position, before.completed) if before else None
        self._documents(turn, Assessed(chosen.answers, chosen.mode, chosen.completed), previous,
                        KINDS)  # fmt: skip
        turn.say(self._plan_menu(turn))
        return True

    def _documents(
        self, turn: Turn, assessed: Assessed, previous: Previous | None, kinds: tuple[str, ...]
    ) -> None:
        month = this_month(turn.now, turn.timezone)
        plan = build_plan(self.content, assessed, previous, turn.conversation.plan, month)
        for kind in kinds:
            document = PlanDocument(plan, "pdf" if kind == "pdf" else "markdown")
            caption = (
                _("Action plan (PDF), {date}")
                if kind == "pdf"
                else _("Action plan (Markdown), {date}")
            ).format(date=day(assessed.completed, plan.lang))
            turn.say(
                Reply(caption, attachment=Attachment(file_name(assessed.completed, kind), document))
            )

    def _plan_menu(self, turn: Turn) -> Reply:
        cluster = turn.conversation.plan.cluster
        name = (
            _("Cluster name: {name}").format(name=cluster)
            if cluster
            else _("Add the cluster's name")
        )
        return Reply(
            _(
                "Give each action an owner and a month, tick off what is done, and the next plan "
                "and your reminders will show it."
            ),
            (
                Choice("own:list", _("Owners and dates")),
                Choice("plan:name", name),
                Choice("plan:earlier", _("Plan of an earlier assessment")),
                Choice("menu:home", _("Main menu")),
            ),
        )

    def _none_yet(self) -> Reply:
        return Reply(
            _("An action plan comes from a completed self-assessment; you have none yet."),
            (Choice("menu:assess", _("Start the self-assessment")),),
        )

    # --- actions people own -----------------------------------------------------------------

    def actions(self, turn: Turn) -> tuple[Action, ...]:
        conv = turn.conversation
        if conv.journey.last is None:
            return ()
        answers = conv.journey.last.answers
        return plan_actions(self.content, answers, score(self.content, answers).position, conv.plan)

    async def own_choice(self, turn: Turn, value: str) -> bool:
        conv, plan = turn.conversation, turn.conversation.plan
        verb, _sep, rest = value.partition(":")
        question_id, _sep, month = rest.partition(":")
        if verb == "list":
            conv.awaiting = Awaiting.NOTHING
            turn.say(self.list_reply(turn))
            return True
        if all(a.question.id != question_id for a in self.actions(turn)):
            return False
        if verb == "owner":
            conv.awaiting, plan.editing, plan.pending = Awaiting.ACTION_OWNER, question_id, ()
            turn.say(
                Reply(
                    _(
                        "Who owns this action? Send a name and, if you like, a role, e.g. "
                        "“Anna Berg / styrelsen”. Send - to clear it."
                    ),
                    (Choice(f"own:pick:{question_id}", _("Cancel")),),
                )
            )
            return True
        if verb == "due" and (is_month(month) or month == "none"):
            if month == "none":
                plan.due.pop(question_id, None)
            else:
                plan.due[question_id] = month
        elif verb == "done":
            _move(plan.dropped, plan.done, question_id)
        elif verb == "drop":
            _move(plan.done, plan.dropped, question_id)
        elif verb == "open":
            for kept in (plan.done, plan.dropped):
                if question_id in kept:
                    kept.remove(question_id)
        elif verb != "pick":
            return False
        conv.awaiting = Awaiting.NOTHING
        turn.say(self.card(turn, question_id))
        return True

    async def owner_text(self, turn: Turn, text: str) -> bool:
        conv, plan = turn.conversation, turn.conversation.plan
        question_id = plan.editing or ""
        if all(a.question.id != question_id for a in self.actions(turn)):
            conv.awaiting, plan.editing = Awaiting.NOTHING, None
            return False
        owner = " ".join(text.split())
        if len(owner) > MAX_OWNER:
            turn.say(
                Reply(
                    _("Please keep it to {count} characters, e.g. a name and a role.").format(
                        count=MAX_OWNER
                    ),
                    (Choice(f"own:pick:{question_id}", _("Cancel")),),
                )
            )
            return True
        if owner in ("", "-", "–"):
            plan.owners.pop(question_id, None)
        else:
            plan.owners[question_id] = owner
        conv.awaiting, plan.editing = Awaiting.NOTHING, None
        turn.say(self.card(turn, question_id))
        return True

    def list_reply(self, turn: Turn) -> Reply:
        plan, actions = turn.conversation.plan, self.actions(turn)
        if not actions:
            return Reply(_("There are no actions to own: every answer is a yes."))
        lang, month = current_language(), this_month(turn.now, turn.timezone)
        lines = [_("The actions of your plan. Pick one to give it an owner and a month:"), ""]
        for i, action in enumerate(actions, start=1):
            lines.append(f"{i}. {action.question.action.get(lang)} {describe(plan, action, month)}")
        choices = tuple(
            Choice(f"own:pick:{a.question.id}", str(i)) for i, a in enumerate(actions, start=1)
        )
        return Reply(
            "\n".join(lines),
            (*choices, Choice("plan:pdf", _("Action plan (PDF)"))),
            rows=(min(len(choices), 5),) * ((len(choices) + 4) // 5) + (1,),
        )

    def card(self, turn: Turn, question_id: str) -> Reply:
        """One action: what, why, its step, owner, month and state, with the buttons to change
        them (a due month is one tap: this month and the next five)."""
        plan, lang = turn.conversation.plan, current_language()
        action = next(a for a in self.actions(turn) if a.question.id == question_id)
        month = this_month(turn.now, turn.timezone)
        state = state_of(plan, question_id, month)
        if action.step:
            title = self.content.step(action.step).title.get(lang)
            where = _("Step {number}: {title}").format(number=action.step, title=title)
        else:
            where = self.content.funding.title.get(lang)
        lines = [
            action.question.action.get(lang),
            "",
            where,
            _("Why it matters: {why}").format(why=action.question.why.get(lang)),
            _("Owner: {owner}").format(owner=plan.owners.get(question_id) or _("not set")),
            _("Due: {month}").format(
                month=month_label(plan.due[question_id], lang)
                if question_id in plan.due
                else _("not set")
            ),
            _("Status: {state}").format(state=state_word(state)),
        ]
        months = [
            Choice(f"own:due:{question_id}:{m}", month_label(m, lang, short=True))
            for m in months_from(month)
        ]
        closing = (
            [Choice(f"own:open:{question_id}", _("Reopen"))]
            if state in ("done", "dropped")
            else [
                Choice(f"own:done:{question_id}", _("✓ Done")),
                Choice(f"own:drop:{question_id}", _("Not relevant")),
            ]
        )
        choices = (
            Choice(f"own:owner:{question_id}", _("Set owner")),
            *months,
            Choice(f"own:due:{question_id}:none", _("No date")),
            *closing,
            Choice("own:list", _("← All actions")),
        )
        return Reply("\n".join(lines), choices, rows=(1, 3, 3, 1, len(closing), 1))


def _move(source: list[str], target: list[str], question_id: str) -> None:
    if question_id in source:
        source.remove(question_id)
    if question_id not in target:
        target.append(question_id)

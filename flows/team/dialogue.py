"""`/team`: a cluster manager gathers colleagues (staff, board members, member companies) to
answer the checks for one cluster, since one manager's view of their own cluster is
optimistic. The owner creates the team and shares its invitation; members join by the link,
answer the quick or the full check, and the owner sees the combined result once two have
answered. The owner may share that result with the members, remove a member, hand the team
over and close it (no new members, no new answers counted; the result stays).

Teams are kept through the `Store`; links come from the `Channel` (none in the terminal, where
the `/start` command stands in for them)."""

from __future__ import annotations

from dataclasses import replace

from flows.actionplan.dialogue import cluster_name, name_refused
from flows.actionplan.document import build_plan, day, file_name
from flows.actionplan.ownership import this_month
from flows.actionplan.state import ActionPlanState
from flows.channel import fit_label
from flows.content_model import Content
from flows.events import AssessmentCompleted
from flows.i18n import _, current_language, ngettext
from flows.journey.assessment import Assessment
from flows.journey.diagnostic import FULL, QUICK
from flows.journey.state import Assessed
from flows.messages import Attachment, Choice, PlanDocument, QrCode, Reply
from flows.notices import invalid_invitation
from flows.state import Awaiting
from flows.summary import chart_attachment, in_words
from flows.team.port import TeamAnswer, TeamInfo, TeamMember
from flows.team.result import team_result
from flows.team.summary import answered_text, team_summary_text
from flows.turn import Turn

TEAM_PREFIX = "tm_"  # /start tm_<invite>: join a team
VISIBLE_FROM = 2  # answers before anyone sees a team result: one alone is no team's view
OWNER_ACTIONS = ("invite", "members", "see", "close", "reopen", "rm", "owner")


def _back(team: TeamInfo) -> Choice:
    return Choice(f"team:open:{team.id}", _("Back to the team"))


def _waiting(answered: int, members: int) -> str:
    return ngettext(
        "{answered} of {members} member has answered; the team result appears when two have.",
        "{answered} of {members} members have answered; the team result appears when two have.",
        members,
    ).format(answered=answered, members=members)


class Teams:
    """The team's routes; one per content, stateless."""

    def __init__(self, content: Content, assessment: Assessment) -> None:
        self.content = content
        self.assessment = assessment

    # --- commands and links -----------------------------------------------------------------

    async def team_command(self, turn: Turn, _arg: str) -> None:
        turn.conversation.awaiting = Awaiting.NOTHING
        mine = await turn.store.teams.of_member(turn.user_id)
        if len(mine) == 1:
            turn.say(*await self._card(turn, mine[0]))
        else:
            turn.say(self._list(mine))

    async def invite_start(self, turn: Turn, invite: str) -> None:
        """`/start tm_<invite>`: the team's cluster, and the question whether to join."""
        turn.conversation.awaiting = Awaiting.NOTHING
        team = await turn.store.teams.by_invite(invite) if invite else None
        if team is None:
            turn.say(Reply(invalid_invitation()))
            return
        if await self._is_member(turn, team):
            turn.say(
                Reply(
                    _("You are already in the team for “{cluster}”.").format(cluster=team.cluster)
                ),
                *await self._card(turn, team),
            )
            return
        if team.closed:
            turn.say(self._closed(team))
            return
        text = "\n\n".join(
            [
                _(
                    "You are invited to the team for “{cluster}”: colleagues who each answer the "
                    "self-assessment for the cluster, so that it rests on more than one view."
                ).format(cluster=team.cluster),
                _(
                    "The team's owner sees the combined answers and how many gave each answer, "
                    "never who said what. You see your own result as usual."
                ),
            ]
        )
        turn.say(
            Reply(
                text,
                (
                    Choice(f"team:join:{team.invite}", _("Join the team")),
                    Choice("menu:home", _("No, thanks")),
                ),
                rows=(2,),
            )
        )

    # --- buttons and the cluster's name -----------------------------------------------------

    async def choice(self, turn: Turn, value: str) -> bool:
        conv, store = turn.conversation, turn.store
        action, _sep, rest = value.partition(":")
        target, _sep, member = rest.partition(":")
        if action == "new":
            conv.awaiting = Awaiting.TEAM_CLUSTER
            turn.say(self._name_prompt(turn))
            return True
        if action == "name" and conv.awaiting == Awaiting.TEAM_CLUSTER and conv.plan.cluster:
            await self._create(turn, conv.plan.cluster)
            return True
        if action == "list":
            conv.awaiting = Awaiting.NOTHING
            turn.say(self._list(await store.teams.of_member(turn.user_id)))
            return True
        if action == "join":
            await self._join(turn, target)
            return True
        team = await store.teams.get(int(target)) if target.isdigit() else None
        if team is None:
            return False
        conv.awaiting = Awaiting.NOTHING
        if not await self._is_member(turn, team):
            turn.say(Reply(_("Only the team's members can do that.")))
            return True
        if action in OWNER_ACTIONS and team.owner != turn.user_id:
            turn.say(Reply(_("Only the team's owner can do that.")))
            return True
        if action == "open":
            turn.say(*await self._card(turn, team))
        elif action == "answer":
            turn.say(self._check_choice(team))
        elif action in (QUICK, FULL):
            self._begin(turn, team, action)
        elif action in ("result", "pdf", "md"):
            await self._result(turn, team, action)
        elif action == "invite":
            turn.say(*self._invitation(turn, team))
        elif action == "members":
            turn.say(await self._members(turn, team))
        elif action == "see":
            await store.teams.set_members_see(team.id, not team.members_see_team)
            turn.say(
                Reply(
                    _("The members can now see the team result.")
                    if not team.members_see_team
                    else _("Only you see the team result now.")
                ),
                *await self._card(turn, replace(team, members_see_team=not team.members_see_team)),
            )
        elif action in ("close", "reopen"):
            await store.teams.set_closed(team.id, action == "close")
            turn.say(
                Reply(
                    _(
                        "The team is closed: nobody new can join and new answers no longer "
                        "count. The team result stays."
                    )
                    if action == "close"
                    else _("The team is open again.")
                ),
                *await self._card(turn, replace(team, closed=action == "close")),
            )
        elif action in ("rm", "owner"):
            return await self._manage(turn, team, action, member)
        else:
            return False
        return True

    async def name_text(self, turn: Turn, text: str) -> bool:
        name = cluster_name(text)
        if name is None:
            turn.say(name_refused(), self._name_prompt(turn))
            return True
        await self._create(turn, name)
        return True

    def _name_prompt(self, turn: Turn) -> Reply:
        conv = turn.conversation
        choices = [Choice("menu:home", _("Cancel"))]
        if conv.plan.cluster:
            label = _("Use “{name}”").format(name=conv.plan.cluster)
            choices.insert(0, Choice("team:name", fit_label(label, turn.channel)))
        return Reply(
            _(
                "A team lets your colleagues (staff, board members, member companies) answer "
                "the self-assessment for your cluster too; you see the combined result."
            )
            + "\n\n"
            + _("What is the cluster called? Send its name."),
            tuple(choices),
            expects_text=True,
        )

    async def _create(self, turn: Turn, name: str) -> None:
        turn.conversation.awaiting = Awaiting.NOTHING
        team = await turn.store.teams.create(turn.user_id, name, turn.now)
        turn.say(*self._invitation(turn, team), *await self._card(turn, team))

    # --- joining and answering ----------------------------------------------------------------

    async def _join(self, turn: Turn, invite: str) -> None:
        conv, store = turn.conversation, turn.store
        conv.awaiting = Awaiting.NOTHING
        team = await store.teams.by_invite(invite) if invite else None
        if team is None:
            turn.say(Reply(invalid_invitation()))
            return
        if team.closed:
            turn.say(self._closed(team))
            return
        await store.teams.join(team.id, turn.user_id, turn.now)
        conv.team.answering_for = team.id
        turn.say(
            Reply(
                _("Welcome to the team for “{cluster}”!").format(cluster=team.cluster)
                + "\n\n"
                + self._check_text(),
                self._check_choice(team).choices,
                rows=(2,),
            )
        )

    def _check_text(self) -> str:
        return _(
            "Answer for the cluster as you see it. The quick check takes about {quick} "
            "minutes, the full check about {full}."
        ).format(quick=self.assessment.minutes("quick"), full=self.assessment.minutes("full"))

    def _check_choice(self, team: TeamInfo) -> Reply:
        if team.closed:
            return self._closed(team)
        return Reply(
            _("Which check do you take for “{cluster}”?").format(cluster=team.cluster)
            + "\n\n"
            + self._check_text(),
            (
                Choice(f"team:{QUICK}:{team.id}", _("Quick check")),
                Choice(f"team:{FULL}:{team.id}", _("Full check")),
            ),
            rows=(2,),
        )

    def _begin(self, turn: Turn, team: TeamInfo, mode: str) -> None:
        """The check for the team: the assessment's own start (or the one in progress, which
        now counts for the team)."""
        conv = turn.conversation
        if team.closed:
            turn.say(self._closed(team))
            return
        conv.team.answering_for = team.id
        if self.assessment.in_progress(conv):
            turn.say(
                Reply(
                    _(
                        "You have a self-assessment in progress; when you finish it, it counts "
                        "for the team."
                    )
                )
            )
            self.assessment.assess(turn)
            return
        self.assessment.diagnostic.fire(conv.journey, "choose_mode")
        self.assessment.start(turn, mode)

    async def after_assessment(self, turn: Turn, done: AssessmentCompleted) -> None:
        """An assessment completed for a team: it counts only for a member of an open team; the
        user answers for no team afterwards (a later /assess is their own again)."""
        conv = turn.conversation
        if done.team is None:
            return
        conv.team.answering_for = None
        team = await turn.store.teams.get(done.team)
        if team is None or team.closed or not await self._is_member(turn, team):
            turn.amend(done, replace(done, team=None))
            if team is not None:
                turn.say(
                    Reply(
                        _(
                            "The team for “{cluster}” takes no more answers, so this one "
                            "counts only for you."
                        ).format(cluster=team.cluster)
                    )
                )
            return
        others = [a for a in await turn.store.teams.answers(team.id) if a.user_id != turn.user_id]
        members = len(await turn.store.teams.members(team.id))
        answered = len(others) + 1  # this one is stored with the event
        lines = [_("Thank you: your answers count for the team for “{cluster}”.").format(
            cluster=team.cluster
        )]  # fmt: skip
        lines.append(
            _waiting(answered, members)
            if answered < VISIBLE_FROM
            else answered_text(answered, members)
        )
        turn.say(Reply("\n".join(lines), (_back(team),)))

    # --- the team's state and result ----------------------------------------------------------

    async def _is_member(self, turn: Turn, team: TeamInfo) -> bool:
        return any(m.user_id == turn.user_id for m in await turn.store.teams.members(team.id))

    async def _card(self, turn: Turn, team: TeamInfo) -> list[Reply]:
        """The team as its owner or a member sees it: the owner sees the result as soon as two
        have answered."""
        store = turn.store
        members = await store.teams.members(team.id)
        answers = await store.teams.answers(team.id)
        owner = team.owner == turn.user_id
        if owner and len(answers) >= VISIBLE_FROM:
            return self._result_replies(turn, team, members, answers)
        lines = [_("Team for “{cluster}”").format(cluster=team.cluster)]
        if team.closed:
            lines.append(_("The team is closed: it takes no new members and no new answers."))
        lines += [
            "",
            _waiting(len(answers), len(members))
            if len(answers) < VISIBLE_FROM
            else answered_text(len(answers), len(members)),
        ]
        mine = next((a for a in answers if a.user_id == turn.user_id), None)
        lines.append(
            _("You answered for the team on {date}.").format(
                date=day(mine.completed, current_language())
            )
            if mine
            else _("You have not answered for the team yet.")
        )
        if owner:
            lines.append(_("You own the team."))
        elif team.members_see_team:
            lines.append(_("The owner lets the members see the team result."))
        else:
            lines.append(_("The team result is for the team's owner; your own is under /summary."))
        choices = []
        if not team.closed:
            label = _("Answer again for the team") if mine else _("Answer for the team")
            choices.append(Choice(f"team:answer:{team.id}", label))
        if not owner and team.members_see_team and len(answers) >= VISIBLE_FROM:
            choices.append(Choice(f"team:result:{team.id}", _("Team result"), opens_beside=True))
        if owner:
            choices += self._owner_choices(team)
        choices.append(Choice("team:list", _("My teams")))
        return [Reply("\n".join(lines), tuple(choices))]

    def _owner_choices(self, team: TeamInfo) -> list[Choice]:
        return [
            Choice(f"team:invite:{team.id}", _("Invitation link and QR"), opens_beside=True),
            Choice(f"team:members:{team.id}", _("Members")),
            Choice(
                f"team:see:{team.id}",
                _("Hide the team result from members")
                if team.members_see_team
                else _("Let members see the team result"),
            ),
            Choice(f"team:reopen:{team.id}", _("Reopen the team"))
            if team.closed
            else Choice(f"team:close:{team.id}", _("Close the team")),
        ]

    async def _result(self, turn: Turn, team: TeamInfo, kind: str) -> None:
        if team.owner != turn.user_id and not team.members_see_team:
            turn.say(
                Reply(
                    _(
                        "The team's owner has not shared the team result with the members. "
                        "Your own result is under /summary."
                    )
                )
            )
            return
        members = await turn.store.teams.members(team.id)
        answers = await turn.store.teams.answers(team.id)
        if len(answers) < VISIBLE_FROM:
            turn.say(Reply(_waiting(len(answers), len(members)), (_back(team),)))
        elif kind == "result":
            turn.say(*self._result_replies(turn, team, members, answers))
        else:
            turn.say(self._plan(turn, team, answers, kind))

    def _result_replies(
        self, turn: Turn, team: TeamInfo, members: list[TeamMember], answers: list[TeamAnswer]
    ) -> list[Reply]:
        combined = team_result(self.content, [a.answers for a in answers])
        text = team_summary_text(self.content, team.cluster, combined, len(members))
        choices = [
            Choice(f"team:pdf:{team.id}", _("Team action plan (PDF)")),
            Choice(f"team:md:{team.id}", _("Markdown")),
        ]
        if team.owner == turn.user_id:
            if team.closed:
                text += "\n\n" + _(
                    "The team is closed: it takes no new members and no new answers."
                )
            if not team.closed:
                choices.append(Choice(f"team:answer:{team.id}", _("Answer for the team")))
            choices += [*self._owner_choices(team), Choice("team:list", _("My teams"))]
        else:
            choices.append(_back(team))
        chart = chart_attachment(self.content, combined.result, combined.combined, team.cluster)
        return [
            Reply(text, tuple(choices), rows=(2,), stays=True),
            Reply(_("Team readiness per step"), attachment=chart),
        ]

    def _plan(self, turn: Turn, team: TeamInfo, answers: list[TeamAnswer], kind: str) -> Reply:
        """The team's action plan, from the combined answers (no one member's owners or dates)."""
        combined = team_result(self.content, [a.answers for a in answers]).combined
        mode = QUICK if in_words(self.content, combined) else FULL
        completed = max(a.completed for a in answers)
        owned = ActionPlanState(cluster=team.cluster)  # no one member's owners or dates
        month = this_month(turn.now, turn.timezone)
        plan = build_plan(self.content, Assessed(combined, mode, completed), None, owned, month)
        document = PlanDocument(plan, "pdf" if kind == "pdf" else "markdown")
        caption = (
            _("Team action plan (PDF), {date}")
            if kind == "pdf"
            else _("Team action plan (Markdown), {date}")
        ).format(date=day(completed, plan.lang))
        return Reply(caption, attachment=Attachment(file_name(completed, kind), document))

    # --- the owner's management ---------------------------------------------------------------

    async def _members(self, turn: Turn, team: TeamInfo) -> Reply:
        """The members by number and joining date: the bot keeps no names."""
        members = await turn.store.teams.members(team.id)
        answered = {a.user_id for a in await turn.store.teams.answers(team.id)}
        lang = current_language()
        lines = [_("Members of the team for “{cluster}”:").format(cluster=team.cluster), ""]
        choices = []
        for number, member in enumerate(members, start=1):
            who = _("you (owner)") if member.user_id == team.owner else ""
            state = _("answered") if member.user_id in answered else _("not yet answered")
            parts = [_("Member {number}").format(number=number), who,
                     _("joined {date}").format(date=day(member.joined, lang)), state]  # fmt: skip
            lines.append(" · ".join(p for p in parts if p))
            if member.user_id != team.owner:
                choices += [
                    Choice(
                        f"team:rm:{team.id}:{member.user_id}",
                        _("Remove member {number}").format(number=number),
                    ),
                    Choice(
                        f"team:owner:{team.id}:{member.user_id}",
                        _("Make member {number} owner").format(number=number),
                    ),
                ]
        lines += ["", _("Only numbers and dates: I do not store anyone's name.")]
        rows = (2,) * (len(choices) // 2) + (1,)
        return Reply("\n".join(lines), (*choices, _back(team)), rows=rows)

    async def _manage(self, turn: Turn, team: TeamInfo, action: str, user_id: str) -> bool:
        members = await turn.store.teams.members(team.id)
        number = next((i for i, m in enumerate(members, start=1) if m.user_id == user_id), None)
        if number is None or user_id == team.owner:
            turn.say(
                Reply(_("That member is no longer in the team.")), await self._members(turn, team)
            )
            return True
        if action == "rm":
            await turn.store.teams.remove(team.id, user_id)
            turn.say(
                Reply(
                    _("Member {number} has left the team; their answers no longer count.").format(
                        number=number
                    )
                ),
                await self._members(turn, team),
            )
            return True
        await turn.store.teams.set_owner(team.id, user_id)
        turn.say(
            Reply(_("Member {number} now owns the team. You stay a member.").format(number=number)),
            *await self._card(turn, replace(team, owner=user_id)),
        )
        return True

    # --- replies ------------------------------------------------------------------------------

    def _invitation(self, turn: Turn, team: TeamInfo) -> list[Reply]:
        payload = f"{TEAM_PREFIX}{team.invite}"
        link = turn.channel.start_link(payload)
        text = _(
            "Send this invitation to your colleagues: staff, board members, member companies. "
            "Whoever opens it can join the team and answer for “{cluster}”:"
        ).format(cluster=team.cluster)
        replies = [Reply(f"{text}\n{link or f'/start {payload}'}", (_back(team),))]
        if link is not None:
            replies.append(
                Reply(
                    _("Scan to join the team for “{cluster}”").format(cluster=team.cluster),
                    attachment=Attachment(f"team-{team.id}.png", QrCode(link)),
                )
            )
        return replies

    def _list(self, mine: list[TeamInfo]) -> Reply:
        text = _(
            "A team lets your colleagues (staff, board members, member companies) answer "
            "the self-assessment for your cluster too; you see the combined result."
        )
        if mine:
            text = _("Your teams:")
        else:
            text += "\n\n" + _("To join a team, open the invitation link its owner sent you.")
        choices = [
            Choice(f"team:open:{t.id}", t.cluster[:50] + (" – " + _("closed") if t.closed else ""))
            for t in mine[:20]
        ]
        choices.append(Choice("team:new", _("Create a team for your cluster")))
        return Reply(text, tuple(choices))

    def _closed(self, team: TeamInfo) -> Reply:
        return Reply(
            _("The team for “{cluster}” is closed and takes no new members or answers.").format(
                cluster=team.cluster
            )
        )

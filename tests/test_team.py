"""Team mode at the flows and storage level: colleagues answer for one cluster, the combined
result and its disagreements, who may see it, and the owner's management."""

from __future__ import annotations

import re

import pytest

from bot.events import EventRunner
from bot.storage import Storage
from bot.storage.teams import TeamStore
from flows.messages import Event, Reply
from flows.router import Router
from flows.team.result import combine_answer, team_result

# the quick check's ten key answers, step 1 to 10
OWNER = ["yes", "yes", "yes", "partly", "no", "no", "unsure", "yes", "no", "partly"]
EMMA = ["yes", "no", "yes", "yes", "no", "partly", "unsure", "no", "no", "yes"]
SVEN = ["yes", "no", "partly", "no", "no", "no", "unsure", "partly", "unsure", "yes"]


class Clock:
    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


class Person:
    """One user talking to the bot (the terminal's channel: no links, `/start tm_…` instead)."""

    def __init__(self, runner: EventRunner, user_id: str, lang: str) -> None:
        self.runner, self.user_id, self.lang = runner, user_id, lang
        self.replies: list[Reply] = []

    async def send(self, kind: str, value: str, arg: str = "") -> str:
        handled = await self.runner.handle(
            self.user_id,
            Event(kind, value, arg),  # type: ignore[arg-type]
            lang=self.lang,
        )
        self.replies = handled.replies
        return self.text

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    @property
    def labels(self) -> list[str]:
        return [c.label for r in self.replies for c in r.choices]

    async def command(self, name: str, arg: str = "") -> str:
        return await self.send("command", name, arg)

    async def choose(self, choice_id: str) -> str:
        return await self.send("choice", choice_id)

    async def press(self, label: str) -> str:
        ids = [c.id for r in self.replies for c in r.choices if c.label == label]
        assert ids, f"no button {label!r} in {self.labels}"
        return await self.choose(ids[-1])

    def choice_id(self, label: str) -> str:
        return next(c.id for r in self.replies for c in r.choices if c.label == label)

    async def quick_check(self, answers: list[str]) -> None:
        for answer in answers:
            await self.choose(f"ans:{answer}")


@pytest.fixture
async def storage(database):
    store = await Storage.open(database.url)
    yield store
    await store.close()


@pytest.fixture
def runner(content, storage):
    return EventRunner(Router(content), storage, clock=Clock())


async def create_team(owner: Person, cluster: str) -> str:
    await owner.command("team")
    await owner.choose("team:new")
    text = await owner.send("text", cluster)
    return re.search(r"/start (tm_[0-9a-f]{12})", text).group(1)


async def join(person: Person, payload: str, mode: str = "quick") -> None:
    text = await person.command("start", payload)
    assert "team" in text
    join_label = "Join the team" if person.lang == "en" else "Gå med i teamet"
    await person.press(join_label)
    await person.press("Quick check" if person.lang == "en" else "Snabbkoll")


async def a_team_of_three(runner) -> tuple[Person, Person, Person, str]:
    owner = Person(runner, "tg:1", "sv")
    payload = await create_team(owner, "Mälardalens klimatkluster")
    emma, sven = Person(runner, "tg:2", "en"), Person(runner, "tg:3", "sv")
    await owner.press("Svara för teamet")
    await owner.press("Snabbkoll")
    await owner.quick_check(OWNER)
    await join(emma, payload)
    await emma.quick_check(EMMA)
    await join(sven, payload)
    await sven.quick_check(SVEN)
    return owner, emma, sven, payload


def test_the_cautious_median(content):
    assert combine_answer(content, ["yes", "no"]) == "no"  # split evenly: the lower one
    assert combine_answer(content, ["yes", "partly", "yes"]) == "yes"
    assert combine_answer(content, ["yes", "unsure", "no", "partly"]) == "partly"
    assert combine_answer(content, ["unsure", "yes"]) == "yes"  # "not sure" left out
    assert combine_answer(content, ["unsure", "unsure"]) == "unsure"  # unless everyone is
    assert combine_answer(content, []) is None


async def test_a_team_of_three_in_two_languages(content, runner, storage):
    owner, emma, sven, _payload = await a_team_of_three(runner)
    assert "Tack: dina svar räknas för teamet för ”Mälardalens klimatkluster”" in sven.text
    assert "3 av 3 medlemmar har svarat" in sven.text
    assert "Your readiness summary (quick check)" in emma.text  # her own summary, as usual

    team = (await TeamStore(storage).of_member("tg:1"))[0]
    answers = await TeamStore(storage).answers(team.id)
    assert [a.user_id for a in answers] == ["tg:1", "tg:2", "tg:3"]
    combined = team_result(content, [a.answers for a in answers])
    assert combined.result.percents == (100, 0, 100, 50, 0, 0, 0, 50, 0, 100)
    assert combined.result.position == 2
    assert combined.answered == 3 and combined.per_step == (3,) * 10
    key = [next(q for q in s.questions if q.key) for s in content.steps]
    listed = [d.question.id for d in combined.disagreements]
    # yes against no first (steps 2, 4, 8), then the widest spread (3, 6; 10 left off)
    assert listed == [key[i - 1].id for i in (2, 4, 8, 3, 6)]

    text = await owner.command("team")
    assert "Teamets resultat för ”Mälardalens klimatkluster”" in text
    assert "3 av 3 medlemmar har svarat." in text
    assert "Frågorna att prata om först:" in text
    assert f"1. {key[1].text.sv} 1 ja, 2 nej" in text
    assert f"2. {key[3].text.sv} 1 ja, 1 delvis, 1 nej" in text
    assert f"4. {key[2].text.sv} 2 ja, 1 delvis" in text  # counts in the scale's order
    assert key[9].text.sv not in text
    assert "Tillsammans placerar ni klustret på steg 2" in text
    assert "Att göra härnäst:" in text and key[1].action.sv in text
    # and the same result in English for an English owner's eyes
    await owner.choose("lang:en")
    text = await owner.command("team")
    assert f"1. {key[1].text.en} 1 yes, 2 no" in text

    # the team's action plan, from the combined answers
    await owner.press("Team action plan (PDF)")
    document = owner.replies[0].attachment
    assert document is not None and document.filename.endswith(".pdf")
    assert document.content.plan.cluster == "Mälardalens klimatkluster"  # type: ignore[union-attr]

    # the team's answer is the latest one; a later plain /assess is the member's own
    await emma.command("assess")
    await emma.choose("mode:quick")
    await emma.quick_check(["yes"] * 10)
    assert "räknas för teamet" not in emma.text and "count for the team" not in emma.text
    answers = await TeamStore(storage).answers(team.id)
    assert next(a for a in answers if a.user_id == "tg:2").answers == dict(
        zip([q.id for q in key], EMMA, strict=True)
    )


async def test_members_see_only_what_the_owner_allows(runner, storage):
    owner, emma, _sven, _payload = await a_team_of_three(runner)
    team = (await TeamStore(storage).of_member("tg:1"))[0]
    text = await emma.command("team")
    assert "3 of 3 members have answered." in text
    assert "Team result" not in emma.labels
    assert "The questions to talk about first" not in text
    # a forged or old button: a polite refusal, and nothing of the result
    text = await emma.choose(f"team:result:{team.id}")
    assert "has not shared the team result with the members" in text
    assert "talk about first" not in text
    text = await emma.choose(f"team:pdf:{team.id}")
    assert "has not shared" in text and all(r.attachment is None for r in emma.replies)
    # nor may a member manage the team
    text = await emma.choose(f"team:see:{team.id}")
    assert "Only the team's owner can do that." in text
    # a stranger is not even a member
    stranger = Person(runner, "tg:9", "en")
    assert "Only the team's members" in await stranger.choose(f"team:result:{team.id}")

    await owner.command("team")
    text = await owner.press("Låt medlemmarna se teamets resultat")
    assert "Medlemmarna kan nu se teamets resultat." in text
    await emma.command("team")
    text = await emma.press("Team result")
    assert "Team result for “Mälardalens klimatkluster”" in text
    assert "The questions to talk about first:" in text
    assert "Members" not in emma.labels  # not the owner's buttons

    await owner.command("team")
    await owner.press("Dölj teamets resultat för medlemmarna")
    assert "has not shared" in await emma.choose(f"team:result:{team.id}")


async def test_the_owner_waits_for_two_answers(runner):
    owner = Person(runner, "tg:1", "en")
    payload = await create_team(owner, "Skåne Food")
    assert "0 of 1 member has answered; the team result appears when two have." in owner.text
    emma = Person(runner, "tg:2", "en")
    await join(emma, payload)
    await emma.quick_check(EMMA)
    assert "1 of 2 members have answered; the team result appears when two have." in emma.text
    text = await owner.command("team")
    assert "1 of 2 members have answered; the team result appears" in text
    assert "talk about first" not in text


async def test_removing_handing_over_and_closing(runner, storage):
    owner, emma, sven, payload = await a_team_of_three(runner)
    team = (await TeamStore(storage).of_member("tg:1"))[0]
    await owner.command("team")
    text = await owner.press("Medlemmar")
    assert "Medlem 1 · du (ägare)" in text and "Medlem 3" in text
    assert "tg:" not in text  # numbers and dates, no ids
    text = await owner.press("Ta bort medlem 3")
    assert "Medlem 3 har lämnat teamet; hens svar räknas inte längre." in text
    assert [a.user_id for a in await TeamStore(storage).answers(team.id)] == ["tg:1", "tg:2"]
    text = await owner.command("team")
    assert "2 av 2 medlemmar har svarat." in text
    # two answers left: the owner would read Emma's answers from "1 ja, 1 nej" (issue 27)
    assert "Frågorna att prata om först:" in text
    assert not re.search(r"\d (ja|nej|delvis|vet inte)\b", text)
    assert "Där färre än tre av er har svarat på en fråga visas inga antal" in text
    # a removed member's next answer does not count
    assert "Bara teamets medlemmar" in await sven.choose(f"team:quick:{team.id}")

    # hand over: Emma owns the team, the old owner is a member
    await owner.press("Medlemmar")
    text = await owner.press("Gör medlem 2 till ägare")
    assert "Medlem 2 äger nu teamet. Du är kvar som medlem." in text
    assert "Medlemmar" not in owner.labels
    assert "Bara teamets ägare" in await owner.choose(f"team:members:{team.id}")
    text = await emma.command("team")
    assert "Team result for “Mälardalens klimatkluster”" in text
    assert {"Members", "Close the team", "Invitation link and QR"} <= set(emma.labels)

    # closed: no one joins, no new answers count, the result stays
    await emma.press("Close the team")
    assert "The team is closed" in emma.text
    late = Person(runner, "tg:4", "en")
    assert "is closed and takes no new members" in await late.command("start", payload)
    assert "is closed" in await late.choose(f"team:join:{payload.removeprefix('tm_')}")
    assert "tg:4" not in [m.user_id for m in await TeamStore(storage).members(team.id)]
    text = await emma.command("team")
    assert "Team result for “Mälardalens klimatkluster”" in text


async def test_an_answer_finished_after_closing_is_not_counted(runner, storage, database):
    owner, emma, _sven, _payload = await a_team_of_three(runner)
    team = (await TeamStore(storage).of_member("tg:1"))[0]
    await emma.choose(f"team:answer:{team.id}")
    await emma.press("Quick check")
    await emma.quick_check(["yes"] * 9)
    await owner.command("team")
    await owner.press("Stäng teamet")
    await emma.choose("ans:yes")
    assert "takes no more answers, so this one counts only for you" in emma.text
    assert database.value("SELECT team_id FROM assessments ORDER BY id DESC LIMIT 1") is None


async def test_delete_takes_a_member_out_of_the_result(runner, storage):
    owner, emma, sven, _payload = await a_team_of_three(runner)
    team = (await TeamStore(storage).of_member("tg:1"))[0]
    await sven.command("delete")
    await sven.choose("privacy:confirm")
    assert [m.user_id for m in await TeamStore(storage).members(team.id)] == ["tg:1", "tg:2"]
    assert [a.user_id for a in await TeamStore(storage).answers(team.id)] == ["tg:1", "tg:2"]
    text = await owner.command("team")
    assert "2 av 2 medlemmar har svarat." in text

    # a deleting owner hands the team to the longest-standing member
    await owner.command("delete")
    await owner.choose("privacy:confirm")
    team = await TeamStore(storage).get(team.id)
    assert team is not None and team.owner == "tg:2" and not team.closed
    # the last one out closes it
    await emma.command("delete")
    await emma.choose("privacy:confirm")
    team = await TeamStore(storage).get(team.id)
    assert team is not None and team.closed and team.owner == ""


async def test_privacy_mentions_teams(runner):
    person = Person(runner, "tg:5", "sv")
    assert "De team du är med i" in await person.command("privacy")
    person = Person(runner, "tg:6", "en")
    assert "The teams you belong to" in await person.command("privacy")


async def test_team_offers_the_plans_cluster_name(runner):
    owner = Person(runner, "tg:1", "en")
    await owner.command("plan")  # no assessment yet; the name is asked with the first plan
    await owner.command("assess")
    await owner.choose("mode:quick")
    await owner.quick_check(OWNER)
    await owner.command("plan")
    await owner.send("text", "Västsvenska kemiklustret")
    await owner.command("team")
    await owner.press("Create a team for your cluster")
    text = await owner.press("Use “Västsvenska kemiklustret”")
    assert "/start tm_" in text and "Team for “Västsvenska kemiklustret”" in text

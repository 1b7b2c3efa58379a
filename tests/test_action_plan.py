"""The action plan in the flows: what the summary says of each action, /plan and the cluster's
name, owning actions (owner, due month, done, not relevant), and what the plan, the next
summary and the reminders make of that state."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.events import EventRunner
from bot.storage import Storage
from flows.i18n import use_language
from flows.journey.state import Assessed
from flows.messages import ActionPlan, Event, PlanDocument, Reply
from flows.router import Router
from flows.state import ConversationState
from flows.workshop.session import WorkshopSession
from tests.helpers import Driver, Engine

NOV_2023 = "2023-11"  # the Driver's clock starts in November 2023
QUICK_SV = ["yes", "no", "no", "yes", "partly", "yes", "unsure", "yes", "yes", "yes"]


@pytest.fixture(scope="module")
def engine(content):
    return Engine(Router(content))


def documents(replies: list[Reply]) -> dict[str, ActionPlan]:
    found = {}
    for reply in replies:
        if reply.attachment is not None and isinstance(reply.attachment.content, PlanDocument):
            found[reply.attachment.filename] = reply.attachment.content.plan
    return found


def choice(replies: list[Reply], prefix: str) -> str:
    return next(c.id for r in replies for c in r.choices if c.id.startswith(prefix))


def labels(replies: list[Reply]) -> list[str]:
    return [c.label for r in replies for c in r.choices]


def checked(engine, lang="sv", answers=QUICK_SV) -> Driver:
    d = Driver(engine, lang)
    d.run_check("quick", answers)
    return d


def test_the_summary_names_the_step_of_each_action_and_offers_the_plan(engine, content):
    d = Driver(engine, "sv")
    replies = d.run_check("quick", QUICK_SV)
    text = replies[0].text
    assert f"{content.step(2).key_question.action.sv} (steg 2)" in text
    assert f"{content.step(3).key_question.action.sv} (steg 3)" in text
    assert content.step(5).key_question.action.sv not in text  # step 5 presupposes step 4
    assert [c.label for c in replies[0].choices] == ["Plan (PDF)", "Ansvariga", "Mer …"]
    more = d.choose("sum:more")[0]
    assert {"Handlingsplan (Markdown)", "Vägledning för steg 2"} <= {c.label for c in more.choices}


def test_plan_asks_the_name_once_then_sends_pdf_and_markdown(engine, content):
    d = checked(engine)
    replies = d.command("plan")
    assert "Vad heter ert kluster?" in replies[-1].text and not documents(replies)
    replies = d.text("  Klustret   Östgöta Ä-teknik ")
    files = documents(replies)
    day = d.completed[-1].completed
    stamp = datetime.fromtimestamp(day, UTC).strftime("%Y-%m-%d")
    assert set(files) == {f"handlingsplan-{stamp}.pdf", f"handlingsplan-{stamp}.md"}
    plan = files[f"handlingsplan-{stamp}.pdf"]
    assert plan.cluster == "Klustret Östgöta Ä-teknik"
    assert plan.title == "Handlingsplan för internationell samverkan"
    assert plan.meta.endswith("· snabbkoll")
    assert plan.position.startswith("Ni är på steg 2 av 10:")
    # a quick check is one answer per step: in words, not as 0/50/100 %
    assert [s.readiness for s in plan.steps][:5] == ["Ja", "Nej", "Nej", "Ja", "Delvis"]
    assert plan.steps[1].current and not plan.steps[0].current
    assert plan.steps[1].held_back == (f"{content.step(2).key_question.text.sv} — Nej",)
    assert plan.unsure == (content.step(7).key_question.text.sv,)
    assert plan.ready_when.startswith("Redo för nästa steg när: ")
    assert content.step(2).ready_when.sv in plan.ready_when
    assert plan.labels.page == "Sida {page} av {pages}"
    step2 = plan.steps[1].actions[0]
    assert step2.text == content.step(2).key_question.action.sv
    assert step2.owner == "" and step2.state == "open" and step2.state_label == "öppen"
    # the step's current tools once, each with its number in the list of sources
    tools = plan.steps[1].tools
    assert [t.text for t in tools] == [t.name.sv for t in content.step(2).current_tools]
    assert all(0 <= t.source <= len(plan.sources) for t in tools) and plan.sources
    assert all(s.url.startswith("http") for s in plan.sources)
    assert len({s.url for s in plan.sources}) == len(plan.sources)
    assert not plan.steps[0].tools  # a step without actions names no tools
    assert plan.funding is None  # the quick check asked nothing about funding
    # asked once: the next /plan sends at once
    assert len(documents(d.command("plan"))) == 2
    assert "Klustrets namn: Klustret Östgöta Ä-teknik" in labels(d.command("plan"))


def test_no_name_is_fine_and_the_name_can_change(engine):
    d = checked(engine, "en")
    d.command("plan")
    replies = d.choose("plan:skip")
    assert documents(replies) and all(p.cluster == "" for p in documents(replies).values())
    d.choose("plan:name")
    replies = d.text("x" * 81)  # too long: asked again, politely
    assert not documents(replies) and "at most 80 characters" in replies[0].text
    d.text("Compound Valley")
    plan = next(iter(documents(d.command("plan")).values()))
    assert plan.cluster == "Compound Valley"


def test_a_plan_without_an_assessment_says_how_to_get_one(engine):
    d = Driver(engine, "sv")
    replies = d.command("plan")
    assert "ingen än" in replies[0].text and "menu:assess" in [c.id for c in replies[0].choices]


def test_owner_month_done_and_dropped_show_in_the_plan_summary_and_list(engine, content):
    d = Driver(engine, "sv")
    full = [q.id for q in engine.diagnostic.sequence("full")]
    step1 = {q.id for q in content.step(1).questions}
    d.run_check("full", ["yes" if q in step1 else "no" for q in full])
    d.command("plan")
    d.choose("plan:skip")
    replies = d.choose("own:list")
    q2 = content.step(2).key_question
    q3 = next(q for q in content.step(2).questions if not q.key)
    q5 = next(q for q in content.funding.questions if q.key)  # the funding track's action
    assert q2.action.sv in replies[0].text and f"{q5.action.sv} (finansiering)" in replies[0].text
    replies = d.choose(f"own:pick:{q2.id}")
    assert "Ansvarig: inte angivet" in replies[0].text
    d.choose(f"own:owner:{q2.id}")
    replies = d.text("Åsa Öberg | styrelsen")
    assert "Ansvarig: Åsa Öberg | styrelsen" in replies[0].text
    months = [c.id for c in replies[0].choices if c.id.startswith(f"own:due:{q2.id}:2")]
    assert months[0] == f"own:due:{q2.id}:{NOV_2023}" and len(months) == 6
    replies = d.choose(f"own:due:{q2.id}:2024-01")
    assert "Klart senast: januari 2024" in replies[0].text
    d.choose(f"own:done:{q3.id}")
    replies = d.choose(f"own:drop:{q5.id}")
    assert content.funding.title.sv in replies[0].text  # its card names the funding track

    plan = next(iter(documents(d.command("plan")).values()))
    actions = {a.text: a for s in plan.rows for a in s.actions}
    assert actions[q2.action.sv].owner == "Åsa Öberg | styrelsen"
    assert actions[q2.action.sv].due == "januari 2024"
    assert actions[q3.action.sv].state == "done" and actions[q3.action.sv].state_label == "klar"
    assert actions[q5.action.sv].state == "dropped"

    summary = d.command("summary")[0].text
    assert f"{q2.action.sv} (steg 2 · Åsa Öberg | styrelsen · januari 2024)" in summary
    assert q3.action.sv not in summary and q5.action.sv not in summary

    replies = d.choose(f"own:open:{q5.id}")  # reopened: back among the next actions
    assert "Status: öppen" in replies[0].text
    assert f"{q5.action.sv} (finansiering)" in d.command("summary")[0].text


def test_a_month_passed_makes_an_action_overdue(engine, content):
    d = checked(engine, "en")
    q2 = content.step(2).key_question
    d.choose(f"own:due:{q2.id}:2023-10")
    replies = d.choose(f"own:pick:{q2.id}")
    assert "Status: overdue" in replies[0].text
    assert not documents(d.choose("plan:pdf"))  # the name first, asked once
    files = documents(d.choose("plan:skip"))
    assert [name[-4:] for name in files] == [".pdf"]  # then the PDF it was asked for
    plan = next(iter(files.values()))
    assert {a.state for s in plan.steps for a in s.actions if a.text == q2.action.en} == {"overdue"}


def test_forged_and_odd_input_gets_a_polite_answer(engine, content):
    d = checked(engine, "en")
    q1 = content.step(1).key_question  # answered yes: not an action
    for forged in (f"own:pick:{q1.id}", "own:pick:nope", "own:due:x:2024-13", "plan:both:999x"):
        replies = d.choose(forged)
        assert replies[0].text == "That button is no longer active."
    q2 = content.step(2).key_question
    assert d.choose(f"own:due:{q2.id}:2024-13")[0].text == "That button is no longer active."
    d.choose(f"own:owner:{q2.id}")
    replies = d.text("A" * 61)
    assert "60 characters" in replies[0].text
    replies = d.text("-")  # clears
    assert "Owner: not set" in replies[0].text


def test_a_new_assessment_forgets_what_it_found_met(engine, content):
    d = checked(engine, "en")
    q2 = content.step(2).key_question
    d.choose(f"own:due:{q2.id}:2024-01")
    d.choose(f"own:owner:{q2.id}")
    d.text("Anna")
    d.run_check("quick", ["yes"] + ["no"] * 9)  # step 2 is still unmet: Anna keeps it
    assert d.record.plan.owners == {q2.id: "Anna"} and d.record.plan.due == {q2.id: "2024-01"}
    d.run_check("quick", "yes")
    assert d.record.plan.owners == {} and d.record.plan.due == {}


def test_reminders_speak_of_overdue_and_due_actions_first(engine, content):
    router = engine.router
    record = ConversationState(lang="en")
    last = {q.id: "no" for q in content.steps[1].questions}
    last.update({s.key_question.id: "yes" for s in content.steps if s.number != 2})
    record.journey.last = Assessed(last, "full", 1_699_000_000)
    questions = [q for q in content.step(2).questions]
    record.plan.due = {questions[2].id: "2023-10", questions[1].id: "2023-11"}
    with use_language("en"):
        reply = router.reminders.reminder_reply(record, 1_700_000_000, "Europe/Stockholm")
    lines = [line for line in reply.text.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert lines[0].startswith(f"1. {questions[2].action.en} (overdue: due October 2023)")
    assert lines[1].startswith(f"2. {questions[1].action.en} (due this month)")


def test_a_workshop_reminder_ticks_off_its_actions(engine, content):
    """A participant who never took the self-assessment: the reminder lists their workshop
    step's actions, and each "✓ done" works (it used to answer "no longer active")."""
    d = Driver(engine, "en")
    d.record.workshop = WorkshopSession(1, "Kick-off", "done", 3)
    with use_language("en"):
        reminder = engine.router.reminders.reminder_reply(d.record, d.now, "Europe/Stockholm")
    first = content.step(3).questions[0]
    assert f"1. {first.action.en}" in reminder.text
    replies = d.choose(f"act:done:{first.id}")
    assert replies[0].text != "That button is no longer active."
    assert first.action.en not in replies[0].text
    assert first.id in d.record.plan.done


async def test_a_plan_of_an_earlier_assessment(content, tmp_path):
    storage = await Storage.open(f"sqlite:///{tmp_path / 'plans.db'}")
    days = iter(range(1_700_000_000, 1_800_000_000, 86400))  # a day passes at every event
    runner = EventRunner(Router(content), storage, clock=lambda: float(next(days)))
    try:

        async def send(kind, value):
            return (await runner.handle("tg:1", Event(kind, value), lang="en")).replies

        for answers in (["no"] * 10, ["yes"] + ["no"] * 9):
            await send("command", "assess")
            await send("choice", "mode:quick")
            for answer in answers:
                await send("choice", f"ans:{answer}")
        await send("command", "plan")
        await send("choice", "plan:skip")
        replies = await send("choice", "plan:earlier")
        earlier = [c for c in replies[0].choices if c.id.startswith("plan:both:")]
        assert len(earlier) == 2 and all("quick check" in c.label for c in earlier)
        newest = documents(await send("choice", earlier[0].id))
        oldest = documents(await send("choice", earlier[1].id))
        assert all(p.position.startswith("You are at step 2") for p in newest.values())
        assert all(p.position.startswith("You are at step 1") for p in oldest.values())
        assert all("moved forward 1 step" in p.change for p in newest.values())
        assert all(p.change == "" for p in oldest.values())
        assert (await send("choice", "plan:both:4242"))[0].text == (
            "That button is no longer active."
        )
    finally:
        await storage.close()

"""The regional picture's rules: consent asked once and plainly, nothing shared without it,
the peers line and every cell of the regional view only from five clusters or more; the
operators' links from the command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.events import ConsentGiven, ConsentWithdrawn
from flows.i18n import use_language
from flows.messages import Event
from flows.regional.peers import peers_line
from flows.regional.places import find_region
from flows.regional.port import SharedAssessment, SharedCluster
from flows.regional.view import SupportAnswer, regional_view, rows
from flows.router import Router
from tests.cli_driver import run
from tests.helpers import Driver, Engine, quick_check

NO_SUPPORT: tuple[SupportAnswer, ...] = ()


@pytest.fixture
def engine(content):
    return Engine(Router(content))


def cluster(content, position: int | None, answer: str = "no", *, then: int | None = None):
    """A sharing cluster whose latest assessment puts it at `position` (answers: yes before the
    step, `answer` from it on); `then`: an earlier assessment at that position."""

    def assessed(at: int | None) -> SharedAssessment:
        answers = {}
        for step in content.steps:
            value = "yes" if at is None or step.number < at else answer
            answers.update({q.id: value for q in step.questions})
        percents = tuple(100 if at is None or s.number < at else 0 for s in content.steps)
        return SharedAssessment(answers, percents, at, 1.0)

    history = ([assessed(then)] if then is not None else []) + [assessed(position)]
    return SharedCluster("SE-O", "forest", tuple(history))


def test_the_peers_line_needs_five_clusters_at_the_step(content):
    with use_language("en"):
        assert peers_line(content, 3, [cluster(content, 3)] * 4) == ""
        line = peers_line(content, 3, [cluster(content, 3)] * 5 + [cluster(content, 6)] * 9)
    # the count alone: no next-step figure, and with every question unmet by all five no
    # question leads the others
    assert line == "5 other clusters that share their results are also at step 3."
    with use_language("sv"):
        assert peers_line(content, 3, [cluster(content, 3)] * 5) == (
            "5 andra kluster som delar sina resultat är också på steg 3."
        )
        assert peers_line(content, 10, [cluster(content, 10)] * 8) == ""  # no next step
        assert peers_line(content, None, [cluster(content, None)] * 8) == ""


def test_the_regional_view_suppresses_every_cell_from_fewer_than_five(content):
    with use_language("en"):
        few = regional_view(content, [cluster(content, 3)] * 4, NO_SUPPORT)
        assert few.clusters is None and not few.enough and few.steps == () and few.unmet == ()
        assert rows(few) == [(few.labels["too_few"], "", "", "")]  # not even the count

        shared = [cluster(content, 3)] * 5 + [cluster(content, 5, then=4)] * 2
        support = [
            SupportAnswer(n % 2, "SE-O", "forest", frozenset({"funding"}), frozenset())
            for n in range(4)
        ]
        view = regional_view(content, shared, support)
    counts = [c.count for c in view.steps]
    # step 5: two, hidden; step 3 with it, else 7 - 5 would give them away
    assert counts[2] is None and counts[4] is None and counts[0] == 0
    assert view.change == () and view.median_moved is None  # two assessed twice: too few
    assert view.kinds == () and view.support_participants is None  # two workshops
    table = rows(view)
    assert ("Where the clusters are on the journey", "5. Implement training", "not shown", "") in (
        table
    )
    assert "3. Identify opportunities" not in {g.heading for g in view.unmet}  # 5 of 7: 2 met it
    step5 = {g.heading: g for g in view.unmet}["5. Implement training"]
    assert all(c.count == 7 and c.of == 7 for c in step5.items)


def test_change_between_assessments_once_five_were_assessed_twice(content):
    shared = [cluster(content, 4, then=2)] * 5 + [cluster(content, 3, then=3)] * 5
    shared += [cluster(content, 2, then=4)]
    with use_language("en"):
        view = regional_view(content, shared, NO_SUPPORT)
    assert [(c.label, c.count) for c in view.change] == [
        ("Moved forward", None),  # hidden with the one that moved back
        ("Unchanged", 5),
        ("Moved back", None),  # one cluster: not shown
    ]
    assert view.median_moved == 0.0


def test_consent_is_asked_once_and_no_shares_nothing(engine, content):
    driver = Driver(engine, "en")
    replies = driver.run_check("quick", "no")
    assert replies[-1].text.startswith("Share your result anonymously for the regional picture?")
    assert "fewer than five clusters" in replies[-1].text
    reply = driver.choose("share:no")[-1]
    assert reply.text.startswith("Fine: nothing is shared.")
    assert engine._run(driver_consent(engine)) is None
    again = driver.run_check("quick", "yes")
    assert not any("regional picture?" in r.text for r in again)


def test_consent_given_and_withdrawn_are_recorded_as_events(engine, content):
    driver = Driver(engine, "en")
    driver.run_check("quick", "no")
    driver.choose("share:yes")
    driver.choose("share:region:SE-O")
    given = engine.handle(driver.record, Event("choice", "share:field:SE-O:forest"), driver.now)
    assert given.events == [ConsentGiven("SE-O", "forest")]
    withdrawn = engine.handle(driver.record, Event("choice", "share:withdraw"), driver.now + 1)
    assert withdrawn.events == [ConsentWithdrawn()]
    nothing = engine.handle(driver.record, Event("choice", "share:withdraw"), driver.now + 2)
    assert nothing.events == [] and nothing.replies[0].text == "Nothing was shared."


def test_the_summary_takes_the_peers_line_before_its_closing_question(engine, content):
    driver = Driver(engine, "en")
    driver.run_check("quick", "no")
    turn = engine.handle(driver.record, Event("command", "start"), driver.now)
    turn.replies.clear()
    with use_language("en"):
        engine.router.assessment.latest_summary(turn, "Five clusters are at step 1.")
    text = turn.replies[0].text
    assert text.endswith("\n\nFive clusters are at step 1.")
    assert turn.replies[1].text == "Shall I put these actions in your calendar?"
    assert turn.replies[0].stays


async def driver_consent(engine):
    return await engine.stores.regional.consent("cli:test")


def test_a_forged_region_or_field_is_refused(engine, content):
    driver = Driver(engine, "sv")
    driver.run_check("quick", "no")
    for forged in ("share:region:SE-ZZ", "share:field:SE-O:space", "share:field:XX-1:forest"):
        assert driver.choose(forged)[0].text == "Den knappen är inte längre aktiv."
    assert engine._run(driver_consent(engine)) is None
    driver.choose("share:yes")
    driver.choose("share:region:SE-O")
    assert "Västra Götalands län, Skog och trä" in driver.choose("share:field:SE-O:forest")[0].text
    privacy = driver.command("privacy")[-1]
    assert "du delar dina egna självskattningar anonymt (Västra Götalands län" in privacy.text
    assert any(c.id == "share:withdraw" for c in privacy.choices)


def test_regions_typed_by_an_operator():
    assert [find_region(t).code for t in ("Västra Götaland", "skåne", "SE-AB", "Norway")] == [
        "SE-O",
        "SE-M",
        "SE-AB",
        "NO",
    ]
    assert find_region("Atlantis") is None


def test_observer_links_from_the_command_line(tmp_path: Path):
    made = run(tmp_path, ["admin", "observer", "--region", "Västra Götaland", "--label", "Anna"])
    assert made.returncode == 0, made.stderr
    assert re.search(r"Observer 1 \(Anna\): http://127\.0\.0\.1:8080/r/1\.1\.\S{22}\n", made.stdout)
    listed = run(tmp_path, ["admin", "observers"])
    assert listed.stdout.strip() == "1\tSE-O\tactive\tAnna"
    assert run(tmp_path, ["admin", "revoke", "1"]).returncode == 0
    assert "revoked" in run(tmp_path, ["admin", "observers"]).stdout
    again = run(tmp_path, ["admin", "revoke", "1"])
    assert again.returncode == 2 and again.stderr.strip() == "No active observer 1."
    unknown = run(tmp_path, ["admin", "observer", "--region", "Atlantis"])
    assert unknown.returncode == 2 and len(unknown.stderr.strip().splitlines()) == 1


async def test_replicas_starting_at_once_record_the_bot_name_without_a_clash(postgres_database):
    """Two replicas' start-ups overlap: the second's write of the bot's name waits for the
    first's transaction and then succeeds (it used to fail on the duplicate key)."""
    import asyncio

    from bot.storage import Storage, values

    first, second = Storage.create(postgres_database.url), Storage.create(postgres_database.url)
    try:
        await first.prepare()
        async with first.engine.begin() as conn:  # the first start-up, still in its transaction
            await values.put(first.bound(conn), values.BOT_USERNAME, "bot_a")
            waiting = asyncio.create_task(values.put(second, values.BOT_USERNAME, "bot_b"))
            await asyncio.sleep(0.3)
            assert not waiting.done()  # it waits for the first to commit
        await waiting
        assert await values.get(first, values.BOT_USERNAME) == "bot_b"
    finally:
        await first.close()
        await second.close()


async def test_the_peers_line_reads_only_each_clusters_latest_assessment(content, database):
    from bot.events import EventRunner
    from bot.storage import Storage
    from bot.storage.regional import RegionalStore
    from flows.messages import Event

    storage = Storage.create(database.url)
    try:
        await storage.prepare()
        runner = EventRunner(Router(content), storage)
        await quick_check(runner, "cli:a", "no")  # at step 1
        for choice in ("share:yes", "share:region:SE-O", "share:field:SE-O:forest"):
            await runner.handle("cli:a", Event("choice", choice))
        await quick_check(runner, "cli:a", "yes")  # then every step ready
        every = await RegionalStore(storage).shared_clusters()
        latest = await RegionalStore(storage).shared_clusters(latest_only=True)
    finally:
        await storage.close()
    assert [a.position for a in every[0].assessments] == [1, None]
    assert [a.position for a in latest[0].assessments] == [None]

"""Statistical disclosure control of the regional picture (issue 27, findings 1 and 3): the
attack of the issue run against the pages and the CSV on both databases, the threshold rule with
secondary suppression on its own, and the peers line that one cluster's change cannot move."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import httpx
import pytest

from bot.events import EventRunner
from bot.storage import Storage
from bot.storage.regional import RegionalStore
from bot.web import access, asgi
from bot.web.pages import Pages
from flows.i18n import use_language
from flows.messages import Event
from flows.regional.disclosure import Figures, protect
from flows.regional.peers import peers_line
from flows.regional.port import SharedAssessment, SharedCluster
from flows.regional.view import SupportAnswer, regional_view, rows
from flows.router import Router

STEP_2 = ["yes"] + ["no"] * 9
STEP_4 = ["yes"] * 3 + ["no"] * 7


async def assessed_and_shared(
    runner: EventRunner, user: str, answers: Sequence[str], region: str, field: str
) -> None:
    await runner.handle(user, Event("command", "assess"))
    await runner.handle(user, Event("choice", "mode:quick"))
    for answer in answers:
        await runner.handle(user, Event("choice", f"ans:{answer}"))
    for choice in ("share:yes", f"share:region:{region}", f"share:field:{region}:{field}"):
        await runner.handle(user, Event("choice", choice))


def table(body: bytes, lang: str = "sv") -> list[list[str]]:
    text = io.StringIO(body.decode("utf-8-sig"))
    return list(csv.reader(text, delimiter=";" if lang == "sv" else ","))


def figures_in(rows_: list[list[str]]) -> list[int]:
    return [int(cell) for row in rows_ for cell in row[2:] if cell.isdigit()]


@pytest.fixture
async def jamtland(content, database):
    """The issue's attack: five consenting clusters in Jämtland / Skog och trä at step 2, one in
    Jämtland / Transport at step 4; an all-regions link and a Jämtland link, served in process."""
    storage = Storage.create(database.url)
    await storage.prepare()
    runner = EventRunner(Router(content), storage)
    for number in range(5):
        await assessed_and_shared(runner, f"cli:forest{number}", STEP_2, "SE-Z", "forest")
    await assessed_and_shared(runner, "cli:lone", STEP_4, "SE-Z", "transport")
    secret = await access.PageLinks("").secret(storage)
    links = {}
    for name, region in (("all", None), ("SE-Z", "SE-Z")):
        observer = await RegionalStore(storage).create_observer(region, name, 0.0)
        links[name] = "/r/" + access.sign(secret, observer.id, 1, access.OBSERVER)
    app = asgi.build(storage, Pages(storage, content))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://regional"
    ) as client:
        yield client, links
    await storage.close()


async def test_the_lone_transport_cluster_cannot_be_read_from_any_filter_or_csv(jamtland):
    client, links = jamtland
    for link in links.values():
        for lang in ("sv", "en"):
            lone = await client.get(f"{link}/export.csv?field=transport&lang={lang}")
            forest = await client.get(f"{link}/export.csv?field=forest&lang={lang}")
            whole = await client.get(f"{link}/export.csv?lang={lang}")
            assert lone.status_code == forest.status_code == whole.status_code == 200
            # the transport filter (one cluster) and the forest filter (one fewer than the
            # whole) show nothing, not even a count: one row that says why
            for refused in (lone, forest):
                assert len(table(refused.content, lang)) == 1
                assert figures_in(table(refused.content, lang)) == []
                assert not re.search(r"\d", refused.text)
            assert "five" in lone.text or "fem" in lone.text
            # the whole region: six clusters, and the lone cluster's step cannot be worked out
            rows_ = table(whole.content, lang)
            assert rows_[0][2] == "6"
            hidden = "visas inte" if lang == "sv" else "not shown"
            steps = [
                r
                for r in rows_
                if r[0] in ("Var klustren är på resan", "Where the clusters are on the journey")
            ]
            assert [r[2] for r in steps[:5]] == ["0", hidden, "0", hidden, "0"]
            assert all(r[2] in ("0", hidden) for r in steps)
            # no count or complement of one to four anywhere (6 − 5 = 1 would be the lone one)
            for row in rows_[1:]:
                if row[2].isdigit():
                    count = int(row[2])
                    assert count == 0 or count >= 5, row
                    if row[3]:
                        assert int(row[3]) - count in (0, *range(5, 100)), row
                        assert 6 - int(row[3]) in (0, *range(5, 100)), row


async def test_refused_and_small_selections_show_nothing_on_the_page(jamtland):
    client, links = jamtland
    for field in ("transport", "forest", "digital"):
        page = await client.get(f"{links['all']}?field={field}&lang=sv")
        assert page.status_code == 200
        assert 'id="too-few"' in page.text and 'id="clusters"' not in page.text
        assert "kluster som delar sina resultat</span>" not in page.text
        assert "Ingenting visas för det här urvalet" in page.text
    english = await client.get(f"{links['SE-Z']}?field=transport&lang=en")
    assert "Nothing is shown for this selection" in english.text
    whole = await client.get(f"{links['SE-Z']}?lang=sv")
    assert '<strong id="clusters">6</strong>' in whole.text
    assert "&lt;5" not in whole.text and ">..</abbr>" in whole.text
    # what held: a forged token is still a 404, a query is still escaped
    assert (await client.get(links["all"][:-3] + "AAA")).status_code == 404
    xss = await client.get(links["all"] + "?field=<script>alert(1)</script>&lang=sv")
    assert "<script>alert(1)" not in xss.text


def a_cluster(region: str, field: str, position: int | None, content) -> SharedCluster:
    answers = {}
    for step in content.steps:
        value = "yes" if position is None or step.number < position else "no"
        answers.update({q.id: value for q in step.questions})
    percents = tuple(100 if position is None or s.number < position else 0 for s in content.steps)
    return SharedCluster(region, field, (SharedAssessment(answers, percents, position, 1.0),))


def test_a_suppressed_cell_is_never_alone_in_its_row(content):
    """Seven at step 3 and two at step 5: the two are hidden, and so is the step 3 figure,
    else 9 − 7 would give them; the phases that add up to them too."""
    clusters = [a_cluster("SE-O", "forest", 3, content)] * 7
    clusters += [a_cluster("SE-O", "forest", 5, content)] * 2
    with use_language("en"):
        view = regional_view(content, clusters, ())
    assert view.clusters == 9
    counts = [c.count for c in view.steps]
    assert counts[2] is None and counts[4] is None
    assert all(c in (0, None) for c in counts)
    assert [c.count for c in view.phases] == [None, None, 0]


def test_a_field_is_refused_when_its_cells_could_be_subtracted_from_the_others(content):
    """Three fields: 5, 5 and 1 clusters. The lone one is refused, and so is another field,
    else the whole minus the two shown fields would be it."""
    clusters = [a_cluster("SE-O", "forest", 2, content)] * 5
    clusters += [a_cluster("SE-O", "food", 3, content)] * 5
    clusters += [a_cluster("SE-O", "transport", 4, content)]
    with use_language("en"):
        views = {
            f: regional_view(content, clusters, (), ("SE-O", f), "SE-O")
            for f in ("forest", "food", "transport", None)
        }
    assert not views["transport"].enough and rows(views["transport"])[0][2:] == ("", "")
    assert views[None].clusters == 11
    shown = [f for f in ("forest", "food") if views[f].enough]
    assert len(shown) == 1  # the other is refused with the lone one: 11 − 5 = 6, not 1
    for cell, whole in zip(views[shown[0]].steps, views[None].steps, strict=True):
        if cell.count is not None and whole.count is not None:
            assert whole.count - cell.count in (0, *range(5, 100))


def test_a_region_filter_against_all_regions(content):
    """A region that holds all but two of an all-regions link's clusters is refused."""
    clusters = [a_cluster("SE-O", "forest", 2, content)] * 6
    clusters += [a_cluster("SE-M", "forest", 2, content)] * 2
    with use_language("en"):
        assert not regional_view(content, clusters, (), ("SE-O", None)).enough
        assert not regional_view(content, clusters, (), ("SE-M", None)).enough
        assert regional_view(content, clusters, (), (None, None)).clusters == 8
        # a link for one region sees no other region: nothing to subtract from
        assert regional_view(content, clusters, (), ("SE-O", None), "SE-O").clusters == 6


def test_support_only_from_five_clusters_workshops(content):
    clusters = [a_cluster("SE-O", "forest", 2, content)] * 5
    one_workshop = [
        SupportAnswer(0, "SE-O", "forest", frozenset({"funding"}), frozenset()) for _ in range(12)
    ]
    with use_language("en"):
        view = regional_view(content, clusters, one_workshop)
    assert view.support_participants is None and view.kinds == ()
    five = [
        SupportAnswer(n % 5, "SE-O", "forest", frozenset({"funding"}), frozenset())
        for n in range(12)
    ]
    with use_language("en"):
        view = regional_view(content, clusters, five)
    assert view.support_participants == 12
    assert view.kinds[0].count == 12


def test_the_rule_itself():
    figs = Figures()
    for key, count in (("clusters", 12), ("a", 6), ("b", 5), ("c", 1)):
        figs.add(key, count)
    figs.adds_up("clusters", ["a", "b", "c"])
    hidden = protect({(None, None): figs}, None).hidden[(None, None)]
    assert hidden == {"b", "c"}  # the smallest other figure goes with the one
    figs = Figures()
    for key, count in (("clusters", 7), ("a", 3), ("b", 2), ("c", 2)):
        figs.add(key, count)
    figs.adds_up("clusters", ["a", "b", "c"])
    assert protect({(None, None): figs}, None).hidden[(None, None)] == {"a", "b", "c"}


def test_one_clusters_retake_cannot_move_the_peers_line(content):
    """The issue's attack: four accounts at step 4 answered step 5 no, no, yes, yes; a fifth
    reads its summary before and after the one real cluster at step 4 retakes with step 5 yes."""

    def at_4(step5: str) -> SharedCluster:
        answers = {}
        for step in content.steps:
            value = "yes" if step.number < 4 else ("no" if step.number == 4 else step5)
            answers.update({q.id: value for q in step.questions})
        percents = tuple(
            100 if s.number < 4 else (100 if s.number == 5 and step5 == "yes" else 0)
            for s in content.steps
        )
        return SharedCluster("SE-Z", "forest", (SharedAssessment(answers, percents, 4, 1.0),))

    accounts = [at_4("no"), at_4("no"), at_4("yes"), at_4("yes")]
    for lang in ("en", "sv"):
        with use_language(lang):
            before = peers_line(content, 4, [*accounts, at_4("no")])
            after = peers_line(content, 4, [*accounts, at_4("yes")])
        assert before == after and "%" not in before
    assert before == "5 andra kluster som delar sina resultat är också på steg 4."


def test_the_held_back_question_is_named_only_when_one_cluster_cannot_change_it(content):
    questions = content.step(3).questions
    first, second = questions[0].id, questions[1].id

    def at_3(unmet: set[str]) -> SharedCluster:
        answers = {}
        for step in content.steps:
            for q in step.questions:
                answers[q.id] = "no" if (step.number > 3 or q.id in unmet) else "yes"
        return SharedCluster("SE-O", "forest", (SharedAssessment(answers, (), 3, 1.0),))

    with use_language("en"):
        # five of five: one cluster could make another question the most frequent
        five = peers_line(content, 3, [at_3({first})] * 5)
        assert "holds them back" not in five
        # eight: seven lack the first, one the second: named, without a count
        eight = peers_line(content, 3, [at_3({first})] * 7 + [at_3({second})])
        assert f"What most often holds them back here: “{questions[0].text.en}”." in eight
        assert " of " not in eight
        # and one of the seven changing its answers leaves the line as it was
        changed = peers_line(content, 3, [at_3({first})] * 6 + [at_3({second})] * 2)
        assert changed == eight


def determined(
    cells: dict[tuple, int], hidden: set[tuple], sums: list[tuple[tuple, tuple[tuple, ...]]]
) -> set[tuple]:
    """The hidden cells whose value the shown figures and the sums pin down exactly
    (Gaussian elimination, modulo a large prime for speed: a pivot without free variables in
    its row)."""
    prime = 2**61 - 1
    unknown = sorted(hidden, key=str)
    column = {c: i for i, c in enumerate(unknown)}
    matrix = []
    for total, parts in sums:
        row = [0] * len(unknown)
        for cell, sign in ((total, 1), *((p, -1) for p in parts)):
            if cell in column:
                row[column[cell]] = (row[column[cell]] + sign) % prime
        if any(row):
            matrix.append(row)
    pivots = []
    rank = 0
    for col in range(len(unknown)):
        pick = next((r for r in range(rank, len(matrix)) if matrix[r][col]), None)
        if pick is None:
            continue
        matrix[rank], matrix[pick] = matrix[pick], matrix[rank]
        inverse = pow(matrix[rank][col], prime - 2, prime)
        matrix[rank] = [v * inverse % prime for v in matrix[rank]]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col]:
                factor = matrix[r][col]
                matrix[r] = [
                    (a - factor * b) % prime for a, b in zip(matrix[r], matrix[rank], strict=True)
                ]
        pivots.append((rank, col))
        rank += 1
    pivot_cols = {col for _r, col in pivots}
    return {
        unknown[col]
        for r, col in pivots
        if not any(matrix[r][c] for c in range(len(unknown)) if c not in pivot_cols)
    }


def test_no_hidden_count_of_one_to_four_can_be_solved_for(content):
    """Random regions, fields and steps: the positions and phases of every selection an
    all-regions link can open, as one system of sums; no hidden count from one to four clusters
    is pinned down by the figures shown."""
    import random

    from flows.regional.view import figures, selections

    rnd = random.Random(27)
    step_keys = {"clusters"} | {f"step:{n}" for n in range(1, 11)} | {"step:ready"}
    step_keys |= {f"phase:{p.id}" for p in content.phases}
    for _round in range(150):
        clusters = [
            a_cluster(
                rnd.choice(("SE-O", "SE-Z")),
                rnd.choice(("forest", "food", "transport")),
                rnd.choice((2, 3, 4, 6, None)),
                content,
            )
            for _ in range(rnd.randrange(5, 30))
        ]
        by_selection = {}
        for s in selections(None, clusters, (), (None, None)):
            inside = [c for c in clusters if s[0] in (None, c.region) and s[1] in (None, c.field)]
            figs = figures(content, inside, ())
            figs.counts = {k: v for k, v in figs.counts.items() if k in step_keys}
            figs.sums = [(t, p) for t, p in figs.sums if t in step_keys and set(p) <= step_keys]
            by_selection[s] = figs
        protected = protect(by_selection, None)
        cells = {(s, k): v for s, f in by_selection.items() for k, v in f.counts.items()}
        hidden = {(s, k) for s, keys in protected.hidden.items() for k in keys}
        sums = [
            ((s, t), tuple((s, p) for p in parts))
            for s, f in by_selection.items()
            for t, parts in f.sums
        ]
        for parent in by_selection:
            for axis in (0, 1):
                if parent[axis] is not None:
                    continue
                narrower = [
                    s
                    for s in by_selection
                    if s[axis] is not None and s[1 - axis] == parent[1 - axis]
                ]
                for key in by_selection[parent].counts:
                    sums.append(((parent, key), tuple((s, key) for s in narrower)))
        small = {c for c in hidden if 0 < cells[c] < 5}
        assert not (determined(cells, hidden, sums) & small), _round

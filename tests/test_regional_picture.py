"""The regional view's fast computation (issue 29: counts per region and field, figures as
lists, `protect_grid`) shows and hides exactly what the algorithm before it did
(`tests/regional_reference.py`, frozen), for the same clusters: random regions, fields, steps,
answers and workshops with several seeds, from a handful of clusters (small cells) to a
thousand, every selection of an all-regions and of a one-region link, and the subtraction
attacks of `tests/test_disclosure.py`."""

from __future__ import annotations

import dataclasses
import random

import pytest

from flows.i18n import use_language
from flows.regional import disclosure, view
from flows.regional.port import ClusterCounts, SharedAssessment, SharedCluster
from flows.regional.view import Picture, SupportAnswer
from tests import regional_reference as reference

REGIONS = ("SE-O", "SE-Z", "SE-M", "SE-AB", "SE-E")
FIELDS = ("forest", "food", "transport", "digital")
ANSWERS = ("yes", "partly", "no", "unsure", "gone")  # "gone": an answer the content lost


def random_clusters(content, rnd: random.Random, count: int) -> list[SharedCluster]:
    regions = REGIONS[: rnd.randrange(1, len(REGIONS) + 1)]
    fields = FIELDS[: rnd.randrange(1, len(FIELDS) + 1)]
    questions = [q.id for step in content.steps for q in step.questions]
    clusters = []
    for _ in range(count):
        history = []
        for _k in range(rnd.choice((0, 1, 1, 2, 2, 2))):
            asked = rnd.sample(questions, rnd.choice((10, 10, len(questions))))
            answers = {q: rnd.choice(ANSWERS) for q in asked}
            position = rnd.choice((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None))
            history.append(SharedAssessment(answers, (), position, float(len(history))))
        clusters.append(SharedCluster(rnd.choice(regions), rnd.choice(fields), tuple(history)))
    return clusters


def random_support(content, rnd: random.Random, clusters) -> list[SupportAnswer]:
    kinds = [o.id for o in content.workshop.support_kinds]
    sources = [o.id for o in content.workshop.support_sources]
    places = sorted({(c.region, c.field) for c in clusters}) or [("SE-O", "food")]
    answers = []
    for facilitator in range(rnd.choice((0, 0, 3, 8))):
        region, field = rnd.choice(places)
        for _ in range(rnd.randrange(1, 15)):
            answers.append(
                SupportAnswer(
                    facilitator,
                    region,
                    field,
                    frozenset(rnd.sample(kinds, rnd.randrange(0, 3))),
                    frozenset(rnd.sample(sources, rnd.randrange(0, 3))),
                )
            )
    return answers


def old_views(content, clusters, support, link) -> dict:
    """The reference's view of every selection the link sees, as its `regional_view` draws
    them (protected once: `regional_view` protects the same selections for each of them)."""
    seen = reference.selections(link, clusters, support, (None, None))
    figs = {
        s: reference.figures(
            content,
            [c for c in clusters if reference._in(s, c.region, c.field)],
            [a for a in support if reference._in(s, a.region, a.field)],
        )
        for s in seen
        if link is None or s[0] == link
    }
    protected = reference.protect(figs, link)
    return {
        s: reference._view(
            content, [c for c in clusters if reference._in(s, c.region, c.field)], f, protected, s
        )
        for s, f in figs.items()
    }


def assert_same_views(content, clusters, support) -> int:
    """Every selection, through an all-regions link and two one-region links (and a few
    selections without a cluster): the same view. Returns how many step figures were hidden
    and selections refused, so that a test can see the rule had work to do."""
    hidden = 0
    lang = "en" if len(clusters) % 2 else "sv"
    for link in (None, *sorted({c.region for c in clusters})[:2]):
        picture = Picture.of(content, list(ClusterCounts.of(clusters).values()), support, link)
        with use_language(lang):
            old = old_views(content, clusters, support, link)
            for wanted, seen in old.items():
                assert picture.view(wanted) == seen, (link, wanted)
                hidden += sum(c.count is None for c in seen.steps) + (not seen.enough)
            empty = [(r, f) for r in REGIONS for f in FIELDS if (r, f) not in old][:2]
            for wanted in [(link, None), *((r, f) for r, f in empty if link in (None, r))]:
                expected = reference.regional_view(content, clusters, support, wanted, link)
                assert picture.view(wanted) == expected, (link, wanted)
    return hidden


@pytest.mark.parametrize("seed", range(12))
def test_random_clusters_show_and_hide_what_they_did(content, seed):
    rnd = random.Random(seed)
    clusters = random_clusters(content, rnd, rnd.choice((3, 7, 12, 25, 60, 150)))
    support = random_support(content, rnd, clusters)
    assert_same_views(content, clusters, support)


def test_a_thousand_clusters_in_many_small_cells(content):
    rnd = random.Random(1000)
    clusters = [
        SharedCluster(
            rnd.choice(REGIONS), rnd.choice(FIELDS), c.assessments
        )  # spread over every region and field
        for c in random_clusters(content, rnd, 1000)
    ]
    assert assert_same_views(content, clusters, random_support(content, rnd, clusters)) > 0


def test_the_subtraction_attacks(content):
    """The cases of tests/test_disclosure.py: a lone cluster beside five, a step row of seven
    and two, three fields of 5, 5 and 1, a region of all but two."""
    a_cluster = _a_cluster(content)
    cases = [
        [a_cluster("SE-Z", "forest", 2)] * 5 + [a_cluster("SE-Z", "transport", 4)],
        [a_cluster("SE-O", "forest", 3)] * 7 + [a_cluster("SE-O", "forest", 5)] * 2,
        [a_cluster("SE-O", "forest", 2)] * 5
        + [a_cluster("SE-O", "food", 3)] * 5
        + [a_cluster("SE-O", "transport", 4)],
        [a_cluster("SE-O", "forest", 2)] * 6 + [a_cluster("SE-M", "forest", 2)] * 2,
    ]
    for clusters in cases:
        assert assert_same_views(content, clusters, []) > 0
        with use_language("en"):  # the wrapper the tests of the rule use, too
            assert view.regional_view(content, clusters, []) == reference.regional_view(
                content, clusters, []
            )
    five = [
        SupportAnswer(n % 5, "SE-O", "forest", frozenset({"funding"}), frozenset())
        for n in range(12)
    ]
    assert_same_views(content, cases[2], five)
    assert_same_views(content, cases[2], [dataclasses.replace(a, cluster=0) for a in five])


def _a_cluster(content):
    def make(region: str, field: str, position: int | None) -> SharedCluster:
        answers = {}
        for step in content.steps:
            value = "yes" if position is None or step.number < position else "no"
            answers.update({q.id: value for q in step.questions})
        return SharedCluster(region, field, (SharedAssessment(answers, (), position, 1.0),))

    return make


@pytest.mark.parametrize("seed", range(4))
def test_the_figures_and_the_rule_on_their_own(content, seed):
    """`figures` gives the figures and sums it gave, and `protect` on them hides the same."""
    rnd = random.Random(100 + seed)
    clusters = random_clusters(content, rnd, 40)
    support = random_support(content, rnd, clusters)
    for link in (None, clusters[0].region):
        seen = reference.selections(link, clusters, support, (None, None))
        if link is not None:
            seen = [s for s in seen if s[0] == link]
        old, new = {}, {}
        for s in seen:
            inside = [c for c in clusters if reference._in(s, c.region, c.field)]
            answers = [a for a in support if reference._in(s, a.region, a.field)]
            old[s] = reference.figures(content, inside, answers)
            new[s] = view.figures(content, inside, answers)
            assert (new[s].counts, new[s].sums, new[s].small) == (
                old[s].counts,
                old[s].sums,
                old[s].small,
            )
        ours, theirs = disclosure.protect(new, link), reference.protect(old, link)
        assert (ours.hidden, ours.refused) == (theirs.hidden, theirs.refused)

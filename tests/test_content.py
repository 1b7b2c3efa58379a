"""The real content is sound (every fact sourced and dated, one thing asked per question, no
programme that ended offered), and each kind of content error is reported with file, entry, line."""

from __future__ import annotations

import re

import pytest

from bot.cli import main
from tests.content_edits import content_problems, edit_file


def test_real_content_loads(content):
    assert [s.number for s in content.steps] == list(range(1, 11))
    assert [p.id for p in content.phases] == ["get-ready", "take-action", "use-networks"]
    for step in content.steps:
        assert 4 <= len(step.questions) <= 6
        assert sum(q.key for q in step.questions) == 1
        assert len(step.tools) >= 3 and len(step.examples) >= 2
    assert len(content.glossary) >= 20
    assert [a.id for a in content.answers] == ["yes", "partly", "no", "unsure"]


def test_every_text_is_bilingual_and_distinct(content):
    """Swedish is really Swedish: no text is left identical to its English twin when long."""
    for step in content.steps:
        for q in step.questions:
            for text in (q.text, q.why, q.action):
                assert text.en.strip() and text.sv.strip()
                assert text.en != text.sv
            assert len(q.action.en) <= 100 and len(q.action.sv) <= 100


def test_content_check_command_passes(capsys):
    assert main(["content", "check"]) == 0
    out = capsys.readouterr().out
    assert re.match(r"10 steps, \d+ questions, \d+ tools, \d+ glossary terms", out)


def test_missing_swedish_text(content_copy):
    path = content_copy / "steps" / "03-opportunities.yaml"
    text = path.read_text(encoding="utf-8")
    # drop the Swedish text of the third question
    lines = text.splitlines(keepends=True)
    q_starts = [
        i for i, line in enumerate(lines) if line.lstrip().startswith("- id: opportunities")
    ]
    block = lines[q_starts[2] :]
    sv_line = next(i for i, line in enumerate(block) if line.lstrip().startswith("sv:"))
    del lines[q_starts[2] + sv_line]
    path.write_text("".join(lines), encoding="utf-8")
    problems = content_problems(content_copy)
    assert any(
        p.startswith("steps/03-opportunities.yaml: questions[2].text")
        and "Swedish text 'sv' is missing" in p
        and "(line " in p
        for p in problems
    ), problems


def test_duplicate_id(content_copy):
    path = content_copy / "glossary.yaml"
    data = path.read_text(encoding="utf-8")
    ids = re.findall(r"- id: ([a-z0-9-]+)", data)
    edit_file(path, f"- id: {ids[1]}\n", f"- id: {ids[0]}\n")
    problems = content_problems(content_copy)
    assert any(
        p.startswith("glossary.yaml: terms[1].id (line ") and "duplicate id" in p for p in problems
    ), problems


def test_question_ids_unique_across_steps(content_copy, content):
    first = content.step(1).questions[0].id
    second = content.step(2).questions[1].id
    edit_file(content_copy / "steps" / "02-readiness.yaml", f"id: {second}\n", f"id: {first}\n")
    problems = content_problems(content_copy)
    assert any(
        "steps/02-readiness.yaml: questions[1].id" in p and "duplicate id" in p for p in problems
    ), problems


def test_a_question_id_too_long_for_a_button_is_refused(content_copy, content):
    """An action's card carries the question id in its buttons (at most 64 bytes)."""
    question = content.step(2).questions[1].id
    long = "a-question-id-far-too-long-for-buttons"
    edit_file(content_copy / "steps" / "02-readiness.yaml", f"id: {question}\n", f"id: {long}\n")
    problems = content_problems(content_copy)
    assert any(
        "steps/02-readiness.yaml: questions[1].id" in p and "fit in a button" in p for p in problems
    ), problems


def test_malformed_yaml(content_copy):
    path = content_copy / "workshop.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  broken: [unclosed\n", encoding="utf-8")
    problems = content_problems(content_copy)
    assert any(p.startswith("workshop.yaml (line ") and "malformed YAML" in p for p in problems)


BILLION_LAUGHS = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


def test_a_billion_laughs_is_refused_before_it_grows(content_copy):
    """Nine levels of nine aliases: 387 million strings once read; refused at parse."""
    (content_copy / "glossary.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    problems = content_problems(content_copy)
    assert any(
        p.startswith("glossary.yaml (line ") and "anchors and aliases" in p for p in problems
    ), problems


def test_deep_nesting_and_a_huge_file_are_refused(content_copy):
    (content_copy / "workshop.yaml").write_text("x: " + "[" * 30 + "]" * 30, encoding="utf-8")
    (content_copy / "templates.yaml").write_text("# padding\n" * 100_000, encoding="utf-8")
    problems = content_problems(content_copy)
    assert any("workshop.yaml" in p and "nested deeper than 20" in p for p in problems), problems
    assert any(p.startswith("templates.yaml: is 976 KB") for p in problems), problems


def test_unknown_and_missing_keys(content_copy):
    path = content_copy / "steps" / "05-training.yaml"
    edit_file(path, "ready_when:", "ready_for_next:")
    problems = content_problems(content_copy)
    assert any(
        p.startswith("steps/05-training.yaml: ready_for_next (line ") and "unknown key" in p
        for p in problems
    ), problems
    assert any(
        p.startswith("steps/05-training.yaml") and "missing key 'ready_when'" in p for p in problems
    ), problems


def test_wrong_step_numbering(content_copy):
    steps = content_copy / "steps"
    (steps / "04-strategy.yaml").rename(steps / "05-strategy.yaml")
    problems = content_problems(content_copy)
    assert any("05-strategy.yaml" in p and "numbered" in p for p in problems), problems
    assert any("05-strategy.yaml: number" in p for p in problems), problems


def test_a_step_presupposing_a_later_one_is_refused(content_copy):
    edit_file(content_copy / "prerequisites.yaml", "needs: [6]", "needs: [6, 9]")
    edit_file(content_copy / "prerequisites.yaml", "- step: 9 ", "- step: 8 ")
    problems = content_problems(content_copy)
    assert any(
        "prerequisites.yaml: prerequisites[5].needs[1]" in p and "earlier step, not 9" in p
        for p in problems
    ), problems
    assert any("step 8 is listed twice" in p for p in problems), problems


def test_empty_text(content_copy):
    path = content_copy / "journey.yaml"
    text = path.read_text(encoding="utf-8")
    new = re.sub(
        r'(?m)^(\s+)(- id: "?partly"?\n(?:.*\n)*?\s+label:.*?\bsv:\s*)"?[^"}\n]+"?',
        r'\1\2""',
        text,
        count=1,
    )
    assert new != text
    path.write_text(new, encoding="utf-8")
    problems = content_problems(content_copy)
    assert any(
        p.startswith("journey.yaml: answers[1].label.sv") and "empty" in p for p in problems
    ), problems


@pytest.mark.parametrize("flag", ["true", "false"])
def test_key_question_count(content_copy, content, flag):
    step = content.step(6)
    path = content_copy / "steps" / "06-partners.yaml"
    text = path.read_text(encoding="utf-8")
    if flag == "true":
        second = step.questions[1].id
        new = re.sub(rf"(?m)^(\s*)- id: {second}\n", r"\g<0>\1  key: true\n", text, count=1)
        expected = "has 2"
    else:
        new = re.sub(r"key: true", "key: false", text, count=1)
        expected = "has 0"
    assert new != text and step.key_question
    path.write_text(new, encoding="utf-8")
    problems = content_problems(content_copy)
    assert any(
        p.startswith("steps/06-partners.yaml: questions") and expected in p for p in problems
    ), problems


def test_text_too_long(content_copy):
    path = content_copy / "steps" / "01-why.yaml"
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"(?m)^(ready_when:.*\n\s+en:\s*).*$", r'\1"' + "x" * 5000 + '"', text, count=1)
    if new == text:
        new = text.replace(
            "ready_when:", 'ready_when:\n  en: "' + "x" * 5000 + '"\n  sv: "y"\nold_ready_when:', 1
        )
    path.write_text(new, encoding="utf-8")
    problems = content_problems(content_copy)
    assert any(
        "steps/01-why.yaml: ready_when.en" in p and "5000 characters" in p for p in problems
    ), problems


def test_cli_reports_problems_and_fails(content_copy, capsys):
    (content_copy / "funding.yaml").unlink()
    assert main(["content", "check", "--content", str(content_copy)]) == 1
    assert "funding.yaml: file is missing" in capsys.readouterr().out


# --- sources and dates --------------------------------------------------------------------


def test_every_tool_and_funding_source_is_sourced_and_dated(content):
    items = [t for s in content.steps for t in s.tools] + list(content.funding.sources)
    for item in items:
        assert item.source == "composed" or item.source.startswith(("https://", "http://"))
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", item.checked)


def test_a_bad_source_url_is_reported(content_copy):
    edit_file(content_copy / "funding.yaml", 'source: "https://www.almi.se/faq/"', "source: www.x")
    problems = content_problems(content_copy)
    assert any(
        p.startswith("funding.yaml: sources[") and "is not an https web address" in p
        for p in problems
    ), problems


def test_plain_http_is_refused(content_copy):
    edit_file(
        content_copy / "funding.yaml",
        'source: "https://www.almi.se/faq/"',
        'source: "http://www.almi.se/faq/"',
    )
    problems = content_problems(content_copy)
    assert any("funding.yaml: sources[" in p and "plain http is refused" in p for p in problems)


@pytest.mark.parametrize(
    "url",
    [
        "https://docplayer.se/amp/1425975-tactics-handbook.html",
        "https://issuu.com/boessoi/docs/2_cluster_internationalisation",
        "https://docest.com/doc/427287/what-is-innovation-express",
        "https://impr-0001-1260-partners.eccp.hosted-temp.com/content/call",
        "https://www.slideshare.net/slideshow/x/1",
    ],
)
def test_document_sharing_sites_and_mirrors_are_refused(content_copy, url):
    # refused even when someone adds the host to the allowed list
    host = url.split("/")[2]
    edit_file(content_copy / "SOURCES.md", "- `almi.se`", f"- `{host}` – a copy\n- `almi.se`")
    edit_file(
        content_copy / "steps" / "03-opportunities.yaml",
        'source: "https://clustercollaboration.eu/"',
        f'source: "{url}"',
    )
    problems = content_problems(content_copy)
    assert any(
        p.startswith("steps/03-opportunities.yaml: tools[") and "copies or re-hosts documents" in p
        for p in problems
    ), problems
    assert any(p.startswith("SOURCES.md") and "refused host" in p for p in problems), problems


def test_an_unlisted_host_is_refused(content_copy):
    edit_file(
        content_copy / "funding.yaml",
        'source: "https://www.almi.se/faq/"',
        'source: "https://www.zabala.eu/news/euroclusters-call-2024-2025/"',
    )
    problems = content_problems(content_copy)
    assert any(
        "'www.zabala.eu' is not an allowed host" in p and "SOURCES.md" in p for p in problems
    ), problems


def test_a_lookalike_of_an_allowed_host_is_refused(content_copy):
    # "vinnova.se.example.com" and "notvinnova.se" are not vinnova.se
    for fake in ("https://vinnova.se.example.com/x", "https://notvinnova.se/x"):
        edit_file(
            content_copy / "funding.yaml",
            'source: "https://www.almi.se/faq/"',
            f'source: "{fake}"',
        )
        problems = content_problems(content_copy)
        assert any("is not an allowed host" in p for p in problems), (fake, problems)
        edit_file(
            content_copy / "funding.yaml", f'source: "{fake}"', 'source: "https://www.almi.se/faq/"'
        )


def test_sources_md_without_an_allowed_hosts_list_is_reported(content_copy):
    edit_file(content_copy / "SOURCES.md", "## Allowed hosts", "## Hosts")
    problems = content_problems(content_copy)
    assert any(p.startswith("SOURCES.md") and "Allowed hosts" in p for p in problems), problems


def test_every_source_is_https_on_an_allowed_host(content):
    from flows.content_loader import DEFAULT_DIR, allowed_hosts, host_problem

    hosts, problems = allowed_hosts(DEFAULT_DIR)
    assert hosts and not problems
    items = [t for s in content.steps for t in s.tools] + list(content.funding.sources)
    for item in items:
        assert item.source == "composed" or item.source.startswith("https://"), item.id
        assert host_problem(item.source, hosts) == "", (item.id, item.source)


def test_an_unknown_status_is_reported(content_copy):
    edit_file(content_copy / "funding.yaml", "status: recurring", "status: maybe")
    problems = content_problems(content_copy)
    assert any("'maybe' is not a status" in p for p in problems), problems


def test_a_step_keeps_three_current_tools(content_copy):
    path = content_copy / "steps" / "09-measure.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    status: open", "    status: past", 2), encoding="utf-8")
    problems = content_problems(content_copy)
    assert any(
        p.startswith("steps/09-measure.yaml: tools") and "at least 3 current tools" in p
        for p in problems
    ), problems


HISTORICAL = re.compile(
    r"BSR Stars|StarDust|Innovation Express|CIP 2011|ESCP-4i|Cluster Observatory|S3[- ]pilot",
    re.I,
)


def test_historical_programmes_are_background_only(content):
    for step in content.steps:
        for tool in step.current_tools:
            assert not HISTORICAL.search(tool.name.en), (step.number, tool.id)
        for q in step.questions:
            assert not HISTORICAL.search(q.action.en + q.action.sv), q.id
        past = [t.id for t in step.tools if not t.current]
        assert all(t.status in ("closed", "proposed", "past") for t in step.tools if t.id in past)
    for source in content.funding.sources:
        if HISTORICAL.search(source.name.en):
            assert source.background and not source.current, source.id
    named = {t.id for s in content.steps for t in s.tools if t.status == "past"}
    assert {"bsr-stars", "stardust-method", "escp-4i-model", "cluster-observatory"} <= named


def test_current_support_covers_the_gaps_with_a_status(content):
    by_id = {s.id: s for s in content.funding.sources}
    expected = {
        "tillvaxtverket-cluster-calls": "closed",
        "vinnova-international": "recurring",
        "eurostars": "recurring",
        "business-sweden": "open",
        "si-baltic-sea": "recurring",
        "een": "open",
        "euroclusters": "closed",
        "ecf-fp10": "proposed",
        "innovation-express": "past",
        "s3-pilot": "past",
    }
    assert {k: by_id[k].status for k in expected} == expected
    assert "40" in by_id["tillvaxtverket-cluster-calls"].description.sv
    assert "20 March 2024" in by_id["tillvaxtverket-cluster-calls"].description.en


def test_a_missing_checked_date_is_reported(content_copy):
    path = content_copy / "steps" / "03-opportunities.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    checked: ", "    checked_on: ", 1), encoding="utf-8")
    problems = content_problems(content_copy)
    assert any("missing key 'checked'" in p for p in problems), problems


def test_a_future_date_and_an_unknown_template_are_reported(content_copy):
    path = content_copy / "steps" / "01-why.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"checked: \d{4}-\d\d-\d\d", "checked: 2999-01-01", text, count=1)
    path.write_text(text, encoding="utf-8")
    edit_file(
        content_copy / "steps" / "05-training.yaml",
        "template: skills-self-rating",
        "template: no-such-form",
    )
    problems = content_problems(content_copy)
    assert any("is in the future" in p for p in problems), problems
    assert any(
        p.startswith("steps/05-training.yaml: questions[0].template")
        and "no template 'no-such-form'" in p
        for p in problems
    ), problems


def test_no_programme_that_ended_is_offered_to_join(content):
    for step in content.steps:
        for q in step.questions:
            assert "BSR Stars" not in q.text.en + q.action.en, q.id
    ended = next(t for t in content.step(3).tools if t.id == "cluster-observatory")
    assert "Neither runs any more" in ended.description.en
    assert not ended.current


# --- one question, one thing ---------------------------------------------------------------

DOUBLE = [
    re.compile(r", (and|or) (do|did|have|has|is|are|does) ", re.I),
    re.compile(r", (och|eller) (har|är|går|finns|gör|vet) ", re.I),
    re.compile(r"\band review\b|\boch går ni igenom\b", re.I),
]


def test_no_question_asks_two_things(content):
    questions = [q for s in content.steps for q in s.questions] + list(content.funding.questions)
    for q in questions:
        for text in (q.text.en, q.text.sv):
            assert text.count("?") == 1, (q.id, text)
            assert not any(p.search(text) for p in DOUBLE), (q.id, text)
    assert (
        content.question("measure-kpis").text.en == "Do you have KPIs for your international work?"
    )

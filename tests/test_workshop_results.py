"""Workshop results: aggregation, the results text, the CSV export (with each answer's date in
the facilitator's zone), join codes, QR and chart (in the facilitator's language, from the
button)."""

from __future__ import annotations

import csv
import io
import random
import secrets
from datetime import UTC, datetime

import pytest

from bot.events import PLAIN, PlainChannel
from bot.render.charts import count_png
from bot.render.qr import qr_png
from bot.render.tables import csv_bytes
from bot.telegram.limits import MAX_MESSAGE
from bot.telegram.links import TelegramChannel, join_link
from flows.i18n import use_language
from flows.router import Router
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.codes import CODE_ALPHABET, new_join_code, normalise_code
from flows.workshop.export import csv_delimiter, export_table
from flows.workshop.results import ROOM, aggregate, count_chart, results_text, text_budget
from flows.workshop.words import top_words, words
from tests.helpers import Engine
from tests.workshop_driver import Person, create_workshop


def export_csv(content, title, answers, lang, delimiter=None):
    """The export as the bot sends it: the flows' table, written as CSV."""
    return csv_bytes(export_table(content, title, answers, lang, delimiter))


def distribution_chart(content, results, title):
    """The workshop chart as the bot sends it: the flows' description, drawn."""
    return count_png(count_chart(content, results, title))


TELEGRAM = TelegramChannel("cluster_journey_test_bot", 1)
TEXT_BUDGET = text_budget(TELEGRAM)
PNG = b"\x89PNG\r\n\x1a\n"
BOM = "\ufeff".encode()


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def person(step=None, challenges=(), kinds=(), sources=(), support_from="", lang="en"):
    return ParticipantAnswers(
        step=step,
        challenges=tuple(challenges),
        support_kinds=tuple(kinds),
        support_sources=tuple(sources),
        support_from=support_from,
        lang=lang,
    )


@pytest.fixture
def room():
    return [
        person(
            3,
            ["Svårt att hitta partner i Tyskland", "Finansiering saknas för resor"],
            ["funding", "partner-search"],
            ["vinnova", "region"],
            "Regionen",
            "sv",
        ),
        person(
            3,
            ["Hard to find partners in Germany", "We have no funding for travel"],
            ["funding"],
            ["vinnova"],
            "the region",
            "en",
        ),
        person(None, ["Vi vet inte var vi ska börja"], [], ["een"], "", "sv"),
        person(7, [], ["training", "funding"], [], "Business Sweden", "en"),
        person(1, ["  ", "Members do not see the point of going abroad"], [], [], "  ", "en"),
    ]


# --- aggregation --------------------------------------------------------------------------------


def test_swedish_and_english_answers_merge_into_the_same_totals(content, room):
    results = aggregate(content, room)
    assert results.participants == 5
    assert len(results.steps) == 10
    assert results.steps == (1, 0, 2, 0, 0, 0, 1, 0, 0, 0)
    assert results.step_unknown == 1
    assert sum(results.steps) + results.step_unknown == results.participants
    kinds = dict(results.kinds)
    assert kinds["funding"] == 3 and kinds["partner-search"] == 1 and kinds["training"] == 1
    assert [k for k, _n in results.kinds] == [o.id for o in content.workshop.support_kinds]
    assert kinds["eu-information"] == 0  # zero counts included
    sources = dict(results.sources)
    assert sources["vinnova"] == 2 and sources["region"] == 1 and sources["een"] == 1
    assert [s for s, _n in results.sources] == [o.id for o in content.workshop.support_sources]
    assert results.support_from == ("Regionen", "the region", "Business Sweden")


def test_unknown_steps_and_ids_and_duplicates(content):
    results = aggregate(
        content,
        [
            person(None),
            person(0),
            person(11),
            person(10, kinds=["funding", "funding", "gone"], sources=["nowhere"]),
        ],
    )
    assert results.step_unknown == 3 and results.steps[9] == 1
    assert dict(results.kinds)["funding"] == 1  # once per participant
    assert "gone" not in dict(results.kinds) and "nowhere" not in dict(results.sources)


def test_no_participants(content):
    results = aggregate(content, [])
    assert results.participants == 0 and results.steps == (0,) * 10
    assert results.challenges_by_step == () and results.top_words == ()
    assert all(n == 0 for _k, n in results.kinds)


def test_challenges_are_grouped_by_step_in_step_order_with_unknown_last(content, room):
    results = aggregate(content, [person(None, ["first unknown"]), *room, person(1, ["later one"])])
    assert [step for step, _texts in results.challenges_by_step] == [1, 3, None]
    grouped = dict(results.challenges_by_step)
    assert grouped[1] == ("Members do not see the point of going abroad", "later one")
    assert grouped[3] == (
        "Svårt att hitta partner i Tyskland",
        "Finansiering saknas för resor",
        "Hard to find partners in Germany",
        "We have no funding for travel",
    )
    assert grouped[None] == ("first unknown", "Vi vet inte var vi ska börja")
    assert 7 not in grouped  # no challenges, no group


def test_top_words_across_languages_without_stop_words(content):
    results = aggregate(
        content,
        [
            person(
                2,
                ["Vi har ingen finansiering och det är svårt", "Partners: hard to find!"],
                lang="sv",
            ),
            person(2, ["FINANSIERING saknas", "We have NO partners and our funding is low"]),
            person(5, ["Funding, funding, funding."]),  # counts once: one sticky note
            person(None, ["Tid. Time! Partners?"]),
        ],
    )
    top = dict(results.top_words)
    assert top["partners"] == 3 and top["finansiering"] == 2 and top["funding"] == 2
    for stop in (
        "vi",
        "har",
        "och",
        "det",
        "är",
        "we",
        "have",
        "and",
        "our",
        "is",
        "the",
        "ingen",
        "to",
        "no",
    ):
        assert stop not in top
    # the fillers of how a challenge is put leave too (the "takes", "time", "finding")
    for filler in ("tid", "time", "hard", "find", "svårt", "saknas"):
        assert filler not in top, filler
    assert "ingen" not in top and len(top) == 3
    assert len(results.top_words) <= 10
    counts = [n for _w, n in results.top_words]
    assert counts == sorted(counts, reverse=True)
    assert results.top_words[0] == ("partners", 3)
    assert results.top_words[1:3] == (("finansiering", 2), ("funding", 2))  # ties alphabetical


def test_the_maintained_stop_words_and_their_additions():
    """python-stop-words' Swedish and English lists, with the fillers of a challenge added and
    what a cluster's challenge is about kept."""
    text = "Finding a partner in Germany takes time, and our members lack research abroad"
    assert words(text) == ["partner", "germany", "members", "research", "abroad"]
    assert words("Det tar tid att hitta rätt mässor, och vi saknar kontakter") == [
        "mässor",
        "kontakter",
    ]


def test_words_tokeniser():
    assert words("Många SMF:er saknar tid; vår största utmaning är språket") == [
        "smf",
        "största",
        "utmaning",
        "språket",
    ]
    assert words("We don’t know 2024 markets, e.g. Kenya") == ["markets", "kenya"]
    assert top_words(["b a c", "c b", "a"]) == ()  # all shorter than three letters
    assert top_words(["delta alpha", "charlie bravo"], limit=3) == (
        ("alpha", 1),
        ("bravo", 1),
        ("charlie", 1),
    )


# --- the results text -------------------------------------------------------------------------


def test_results_text_in_english(content, room):
    results = aggregate(content, room)
    with use_language("en"):
        text = results_text(content, "Internationalisation day", "ABC234", results, closed=False)
    assert text.startswith("Internationalisation day\n")
    assert "ABC234" in text and "Open" in text and "Closed" not in text
    assert "Participants: 5" in text
    for step in content.steps:
        assert f"{step.number}. {step.short.en}" in text
    line = next(ln for ln in text.splitlines() if ln.endswith("3. " + content.step(3).short.en))
    assert line.startswith("██████████   2")  # the most chosen step has a full bar
    assert "Step not given: 1" in text
    assert "Challenges" in text and "• Hard to find partners in Germany" in text
    # grouped under their step, the unknown group after the steps
    assert text.index("• Svårt att hitta") < text.index("• Vi vet inte var")
    assert "Most frequent words: abroad (1), börja (1), finansiering (1)," in text
    assert "3  Funding" in text and "2  Vinnova" in text
    assert "Partner search and matchmaking" in text
    assert "Advice on strategy" not in text  # nobody chose it
    assert "• Business Sweden" in text and "• Regionen" in text
    with use_language("en"):
        assert "Closed" in results_text(content, "T", "ABC234", results, closed=True)


def test_results_text_uses_swedish_content_labels(content, room):
    with use_language("sv"):
        text = results_text(content, "Workshop", "ABC234", aggregate(content, room), True)
    assert "3. Identifiera möjligheter" in text and "Finansiering" in text
    assert "Partnersökning och matchmaking" in text and "Regionen" in text
    assert "Partner search and matchmaking" not in text


def test_results_text_merges_identical_from_whom(content):
    answers = [person(1, support_from=t) for t in ("Vinnova", "vinnova ", "VINNOVA", "Almi")]
    with use_language("en"):
        text = results_text(content, "T", "ABC234", aggregate(content, answers), False)
    assert "• Vinnova (×3)" in text and "• Almi" in text


def test_results_text_with_no_answers(content):
    with use_language("en"):
        text = results_text(content, "Empty", "ABC234", aggregate(content, []), False, TELEGRAM)
    assert "Participants: 0" in text and "Most frequent words: –" in text
    assert units(text) <= TEXT_BUDGET


def test_results_text_stays_within_one_message_with_500_long_challenges(content):
    long = "Finding partners abroad takes much more time than we have in our small team " * 8
    answers = [
        person(
            i % 10 + 1 if i % 7 else None,
            [f"#{i} {long}", f"#{i}b 😀😀😀 {long}"],
            ["funding"],
            ["vinnova"],
            f"Person number {i} {long}",
        )
        for i in range(500)
    ]
    results = aggregate(content, answers)
    with use_language("en"):
        text = results_text(content, "A very long title " * 30, "ABC234", results, False, TELEGRAM)
    assert units(text) <= TEXT_BUDGET <= MAX_MESSAGE
    assert "Participants: 500" in text
    assert "…and " in text and "more (all are in the CSV export)" in text
    bullets = [ln for ln in text.splitlines() if ln.startswith("• #")]
    assert bullets and all(len(b) <= 202 for b in bullets)  # each trimmed to ~200
    shown = sum(1 for b in bullets)
    hidden = int(text.split("…and ")[1].split(" ")[0])
    assert shown + hidden == 1000
    assert "• #499b" in text  # the newest are shown
    assert "• #0 " not in text
    # every step group is still represented, and the later sections are not crowded out
    assert all(f"\n{n}. {content.step(n).short.en}\n•" in text for n in range(1, 11))
    assert "Kinds of support\n500  Funding" in text and "Sources of support\n500  Vinnova" in text
    assert "From whom (free text)" in text and "• Person number" in text


class ShortMessages(PlainChannel):
    """A channel of short messages that counts every character twice."""

    @property
    def longest_message(self) -> int | None:
        return 1500

    def length(self, text: str) -> int:
        return 2 * len(text)


def test_results_text_fits_the_channel_it_is_shown_in(content):
    """The flows ask the channel how long a message may be and how it is counted: the same
    room fits one message of each channel, and a channel without a limit shows every line."""
    long = "Finding partners abroad takes much more time than we have " * 3
    answers = [person(i % 10 + 1, [f"#{i} {long}"], support_from=f"From {i}") for i in range(60)]
    results = aggregate(content, answers)
    with use_language("en"):
        short = results_text(content, "T", "ABC234", results, False, ShortMessages())
        telegram = results_text(content, "T", "ABC234", results, False, TELEGRAM)
        plain = results_text(content, "T", "ABC234", results, False, PLAIN)
    assert 2 * len(short) <= 1500 - ROOM and "more (all are in the CSV export)" in short
    assert units(telegram) <= TEXT_BUDGET and len(telegram) > len(short)
    assert "more (all are in the CSV export)" not in plain
    assert all(f"• #{i} " in plain for i in range(60)) and "• From 59" in plain


# --- CSV export -------------------------------------------------------------------------------


def read_csv(data: bytes, lang: str) -> list[list[str]]:
    assert data.startswith(BOM)
    text = data[len(BOM) :].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(lang)))


def test_csv_rows_columns_and_bom(content, room):
    data = export_csv(content, "Dagens workshop", room, "en")
    rows = read_csv(data, "en")
    assert rows[0] == [
        "Participant",
        "Date",
        "Language",
        "Step",
        "Step name",
        "Challenges",
        "Kinds of support",
        "Sources of support",
        "From whom (free text)",
        "Workshop",
    ]
    assert len(rows) == 1 + len(room)
    assert all(len(r) == len(rows[0]) for r in rows)
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4", "5"]
    assert [r[2] for r in rows[1:]] == ["sv", "en", "sv", "en", "en"]
    first = rows[1]
    assert first[3:5] == ["3", content.step(3).title.en]
    assert first[5] == "Svårt att hitta partner i Tyskland | Finansiering saknas för resor"
    assert first[6] == "Funding; Partner search and matchmaking"
    assert first[7] == "Vinnova; The region"
    assert first[8] == "Regionen" and first[9] == "Dagens workshop"
    assert rows[3][3:5] == ["", ""]  # step not given
    assert rows[5][5] == "Members do not see the point of going abroad"
    assert rows[5][8] == ""


def test_csv_in_swedish_uses_swedish_labels_and_semicolons(content, room):
    data = export_csv(content, "Dagens workshop", room, "sv")
    assert b";" in data.splitlines()[0]
    rows = read_csv(data, "sv")
    assert len(rows) == 1 + len(room) and len(rows[1]) == 10
    assert rows[1][4] == content.step(3).title.sv
    assert rows[1][6] == "Finansiering; Partnersökning och matchmaking"
    assert rows[1][7] == "Vinnova; Regionen"
    # an explicit delimiter wins
    assert read_csv(export_csv(content, "T", room, "sv", delimiter=","), "en")[1][0] == "1"


def test_csv_keeps_quotes_and_newlines_and_neutralises_formulas(content):
    answers = [
        person(
            2,
            ['He said "go global", then; left', "line one\nline two\r\nline three"],
            support_from='=HYPERLINK("http://evil","x")',
        ),
        person(4, ["+46 70 123", "ok"], support_from="@SUM(A1:A2)"),
        person(5, ["-2+3"], support_from="  -cmd"),
        person(6, ["Totally fine = text"], support_from="Almi, Vinnova"),
    ]
    rows = read_csv(export_csv(content, "=1+1", answers, "en"), "en")
    assert len(rows) == 5
    assert rows[1][5] == 'He said "go global", then; left | line one\nline two\nline three'
    assert rows[1][8] == '\'=HYPERLINK("http://evil","x")'
    assert rows[1][9] == "'=1+1"
    assert rows[2][5] == "'+46 70 123 | ok" and rows[2][8] == "'@SUM(A1:A2)"
    assert rows[3][5] == "'-2+3" and rows[3][8] == "'-cmd"
    assert rows[4][5] == "Totally fine = text" and rows[4][8] == "Almi, Vinnova"
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_csv_holds_no_identifiers(content, room):
    data = export_csv(content, "T", room, "en").decode("utf-8-sig")
    fields = set(ParticipantAnswers.__dataclass_fields__)
    assert fields == {
        "step",
        "challenges",
        "support_kinds",
        "support_sources",
        "support_from",
        "lang",
        "updated",
        "key",  # the stored answer's row, for moderation decisions: not written to the file
    }  # nothing to leak: no ids or names reach the export
    for word in ("user", "id", "telegram", "name"):
        assert word not in data.splitlines()[0].lower().replace("step name", "")


def test_csv_with_no_participants(content):
    rows = read_csv(export_csv(content, "T", [], "en"), "en")
    assert len(rows) == 1


# --- join codes and links ---------------------------------------------------------------------


def test_join_codes_use_the_unambiguous_alphabet():
    assert not set("0O1IL") & set(CODE_ALPHABET) and len(CODE_ALPHABET) == 31
    rng = random.Random(5)
    codes = [new_join_code(rng) for _i in range(20000)]
    assert all(len(c) == 6 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert len(set(codes)) >= 19990  # 31**6 codes: collisions are rare
    assert set("".join(codes)) == set(CODE_ALPHABET)  # every character is used
    assert new_join_code(random.Random(1)) == new_join_code(random.Random(1))
    system = secrets.SystemRandom()
    assert len({new_join_code(system) for _i in range(100)}) == 100


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ABC234", "ABC234"),
        ("abc234", "ABC234"),
        ("  ws_abc234 ", "ABC234"),
        ("WS_ABC234", "ABC234"),
        ("abc 234", "ABC234"),
        ("abc-234", "ABC234"),
        ("ABCO23", None),  # O is not in the alphabet: refused, not guessed
        ("ABC023", None),
        ("ABC1L2", None),
        ("abc23", None),
        ("abc2345", None),
        ("", None),
        ("ws_", None),
        ("ÅÄÖ234", None),
    ],
)
def test_normalise_code(text, code):
    assert normalise_code(text) == code


def test_join_link():
    assert (
        join_link("ClusterJourneyBot", "abc234") == "https://t.me/ClusterJourneyBot?start=ws_ABC234"
    )
    assert join_link("@ClusterJourneyBot", "ws_ABC234").endswith("?start=ws_ABC234")
    with pytest.raises(ValueError):
        join_link("ClusterJourneyBot", "bad")


# --- images -----------------------------------------------------------------------------------


def test_qr_png_is_a_large_faithful_qr_code():
    import qrcode
    from PIL import Image

    url = join_link("ClusterJourneyBot", "ABC234")
    data = qr_png(url)
    assert data.startswith(PNG)
    image = Image.open(io.BytesIO(data)).convert("L")
    assert image.width == image.height >= 600
    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    reference.add_data(url)
    reference.make(fit=True)
    matrix = reference.get_matrix()
    box = image.width // len(matrix)
    assert box * len(matrix) == image.width
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            pixel = image.getpixel((c * box + box // 2, r * box + box // 2))
            assert (pixel < 128) == dark


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_distribution_chart_is_a_png(content, room, lang):
    from PIL import Image

    with use_language(lang):
        data = distribution_chart(content, aggregate(content, room), "Workshop $x$ " * 12)
    assert data.startswith(PNG)
    image = Image.open(io.BytesIO(data))
    assert image.width >= 1200 and image.height >= 900


def test_distribution_chart_without_answers(content):
    with use_language("en"):
        assert distribution_chart(content, aggregate(content, []), "").startswith(PNG)


def test_the_chart_is_described_in_the_facilitators_language(content, room):
    """The chart's labels are fixed when the reply is made, in the facilitator's language, not
    when an adapter draws it later outside that language."""
    with use_language("sv"):
        chart = count_chart(content, aggregate(content, room), "Var deltagarna är")
    assert chart.labels[2] == "3. " + content.step(3).short.sv
    assert chart.note.startswith("Deltagare: 5")
    assert distribution_chart(content, aggregate(content, room), "T").startswith(PNG)


@pytest.fixture
def engine(content):
    return Engine(Router(content))


@pytest.mark.parametrize(
    ("lang", "note", "title"),
    [
        ("sv", "Deltagare: 2", "Var deltagarna befinner sig på resan"),
        ("en", "Participants: 2", "Where the participants are on the journey"),
    ],
)
def test_the_chart_button_draws_the_chart_in_the_facilitators_language(
    engine, content, lang, note, title
):
    fac = Person(engine, lang, "cli:fac")
    workshop, code = create_workshop(fac)
    for n, participant_lang in enumerate(("sv", "en")):  # the room speaks both languages
        person = Person(engine, participant_lang, f"cli:p{n}")
        person.command("workshop", f"join {code}")
        person.choose("ws:step:3")
    (reply,) = fac.choose(f"wsf:chart:{workshop}")
    chart = reply.attachment.content
    assert chart.title == title and chart.note == note
    assert chart.labels == tuple(f"{s.number}. {s.short.get(lang)}" for s in content.steps)


def stockholm_midnight() -> float:
    """00:30 in Stockholm on 12 March 2026, still 11 March in UTC."""
    return datetime(2026, 3, 11, 23, 30, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("lang", "header", "delimiter"), [("sv", "Datum", ";"), ("en", "Date", ",")]
)
def test_the_csv_has_the_day_each_participant_last_changed_their_answers(
    engine, lang, header, delimiter
):
    fac = Person(engine, lang, "cli:fac")
    workshop, code = create_workshop(fac)
    early = Person(engine, "en", "cli:early")
    early.now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC).timestamp()
    early.command("workshop", f"join {code}")
    early.choose("ws:step:2")
    late = Person(engine, "sv", "cli:late")
    late.now = datetime(2026, 3, 9, 9, 0, tzinfo=UTC).timestamp()
    late.command("workshop", f"join {code}")
    late.now = stockholm_midnight() - 10
    late.choose("ws:step:6")  # changed later: the day of the change counts
    (reply,) = fac.choose(f"wsf:csv:{workshop}")
    data = csv_bytes(reply.attachment.content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline=""), delimiter=delimiter))
    assert rows[0][1] == header
    assert [row[1] for row in rows[1:]] == ["2026-03-10", "2026-03-12"]
    assert [row[0] for row in rows[1:]] == ["1", "2"]
    assert [row[3] for row in rows[1:]] == ["2", "6"]  # the other columns as before


def test_the_export_table_writes_dates_in_the_zone_given(content):
    answers = [ParticipantAnswers(step=1, updated=stockholm_midnight()), ParticipantAnswers()]
    rows = export_table(content, "T", answers, "en").rows
    assert [row[1] for row in rows] == ["2026-03-12", ""]  # never saved: no date
    new_york = export_table(content, "T", answers, "en", zone="America/New_York").rows
    assert new_york[0][1] == "2026-03-11"


@pytest.mark.parametrize(
    ("lang", "headers", "more"),
    [("sv", ["Del av sidan", "Vad den visar", "Antal"], "…och 2 till"),
     ("en", ["Part of the page", "What it shows", "Count"], "…and 2 more")],
)  # fmt: skip
def test_the_projector_links_csv_holds_what_the_wall_shows_and_no_more(
    content, lang, headers, more
):
    """Anyone in the room may have the page's link: its CSV has the wall's figures and the
    challenges the wall shows, never a row per participant or the texts the wall leaves out."""
    from flows.workshop.export import wall_table
    from flows.workshop.projector import projector_view

    room = [person(3, [f"utmaning nummer {n}"], support_from=f"Region {n}") for n in range(8)]
    with use_language(lang):
        view = projector_view(content, "Dagens workshop", "ABC234", False, room)
        table = wall_table(view)
    rows = list(
        csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig")), delimiter=table.delimiter)
    )
    assert rows[0] == headers
    assert rows[1][2] == "8"  # participants
    texts = [r[1] for r in rows]
    assert not any("utmaning nummer 0" in t or "utmaning nummer 1" in t for t in texts)
    assert sum("utmaning nummer" in t for t in texts) == 6  # the newest six, as on the wall
    assert any(t.endswith(more) for t in texts)
    step3 = next(r for r in rows if r[1].startswith("3. "))
    assert step3[2] == "8"
    assert len(rows) < 1 + 1 + 10 + 7 + 20 + 20  # figures, not a row per participant

"""The charts as a user sees them: size, colours, the threshold's place, Swedish letters in the
shipped font, nothing cut off or outside the picture, and no matplotlib on the bot's path."""

from __future__ import annotations

import io
import itertools
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageDraw

from bot.render import charts
from bot.render.charts import count_png, readiness_png
from flows.i18n import use_language
from flows.messages import CountChart, ReadinessChart
from flows.scoring import score
from flows.summary import chart_attachment
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.results import aggregate, count_chart

ROOT = Path(__file__).resolve().parent.parent
ORANGE = (0xE0, 0x7A, 0x1F)
GREEN = (0x2E, 0x7D, 0x5B)
GREY_BLUE = (0x9D, 0xB4, 0xC8)
BLUE = (0x3F, 0x7C, 0xAC)
THRESHOLD = (0x33, 0x33, 0x33)
INK = (0x22, 0x22, 0x22)
WHITE = (255, 255, 255)
LABELS = tuple(f"{n}. Step {n}" for n in range(1, 11))


def picture(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(png)).convert("RGB")


def where(image: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    """A mask (255) of the pixels of exactly `colour`."""
    difference = ImageChops.difference(image, Image.new("RGB", image.size, colour))
    red, green, blue = difference.split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    return largest.point(lambda v: 255 if v == 0 else 0)


def box(image: Image.Image, colour: tuple[int, int, int]) -> tuple[int, int, int, int] | None:
    return where(image, colour).getbbox()


def amount(image: Image.Image, colour: tuple[int, int, int]) -> int:
    return where(image, colour).histogram()[255]


def runs(image: Image.Image, x: int, colours: dict[tuple[int, int, int], str]):
    """Top to bottom along column `x`: (name, first y, last y) of each run of a known colour."""
    column = [image.getpixel((x, y)) for y in range(image.height)]
    found: list[list] = []
    for y, pixel in enumerate(column):
        name = colours.get(pixel)
        if name and found and found[-1][0] == name and found[-1][2] == y - 1:
            found[-1][2] = y
        elif name:
            found.append([name, y, y])
    return [tuple(run) for run in found]


def readiness(**changes) -> ReadinessChart:
    fields = {
        "title": "Readiness per step",
        "labels": LABELS,
        "percents": (100, 100, 50, None, 0, 0, 0, 0, 0, 0),
        "threshold": 70,
        "current": 3,
        "threshold_label": "ready from 70%",
        "axis_label": "Readiness (%)",
    } | changes
    return ReadinessChart(**fields)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_real_charts_are_pngs_of_the_expected_size(content, lang):
    with use_language(lang):
        chart = chart_attachment(content, score(content, {})).content
        room = [ParticipantAnswers(step=s) for s in (1, 2, 2, 7, None)]
        workshop = count_chart(content, aggregate(content, room), "Where they are")
    assert picture(readiness_png(chart)).size == (1000, 1120)
    assert picture(count_png(workshop)).size == (1440, 1080)


@pytest.mark.parametrize("current", [1, 5, 10])
def test_the_current_step_is_orange_at_zero_percent_on_its_own_row(current):
    """Every other step at 100 %: the current one, at 0 %, still shows an orange mark between
    its neighbours' bars, and its label is drawn heavier than the same label not current."""
    percents = tuple(0 if n == current else 100 for n in range(1, 11))
    image = picture(readiness_png(readiness(percents=percents, current=current)))
    orange = box(image, ORANGE)
    assert orange is not None
    left, top, right, bottom = orange
    assert right - left >= 8 and bottom - top >= 30  # a mark you can see, not a hairline
    greens = [r for r in runs(image, left + 2, {GREEN: "green"})]
    assert len(greens) == 9
    middles = [(first + last) / 2 for _, first, last in greens]
    middles.insert(current - 1, (top + bottom - 1) / 2)
    assert middles == sorted(middles)  # the mark sits in the current step's row
    gaps = [b - a for a, b in itertools.pairwise(middles)]
    assert max(gaps) - min(gaps) <= 2

    plain = picture(readiness_png(readiness(percents=percents, current=None)))
    row = (0, top - 10, left - 4, bottom + 10)
    assert amount(image.crop(row), INK) > amount(plain.crop(row), INK) * 1.2  # bold
    assert box(plain, ORANGE) is None


def test_the_current_step_is_orange_whatever_its_value():
    for percents in [(100, 100, 100, 100), (80, 40, 90, 100), (None, None, None, None)]:
        image = picture(readiness_png(readiness(labels=LABELS[:4], percents=percents, current=2)))
        assert amount(image, ORANGE) > 300


@pytest.mark.parametrize("threshold", [30, 70, 85])
def test_the_threshold_line_is_drawn_at_its_percentage(threshold):
    percents = (100,) + (None,) * 9
    image = picture(readiness_png(readiness(percents=percents, current=None, threshold=threshold)))
    green = box(image, GREEN)
    assert green is not None
    # step 1's bar runs from 0 to 100 %; the axis line covers its first two columns
    zero, hundred = green[0] - 2, green[2] - 1
    mask = where(image, THRESHOLD)
    columns = [mask.crop((x, 0, x + 1, image.height)).histogram()[255] for x in range(image.width)]
    tallest = max(columns)
    assert tallest > 300  # a line down the plot, not just the text of its label
    line = [x for x, n in enumerate(columns) if n == tallest]
    expected = zero + (hundred - zero) * threshold / 100
    assert abs(sum(line) / len(line) - expected) <= 2


def test_swedish_letters_are_drawn_with_their_accents():
    """The ring of Å and the dots of ä and ö reach above the unaccented letters."""

    def label_ink(label: str) -> tuple[tuple[int, int, int, int], int]:
        chart = readiness(labels=(label, *LABELS[1:]), percents=(100,) + (None,) * 9, current=None)
        image = picture(readiness_png(chart))
        green = box(image, GREEN)
        assert green is not None
        middle = (green[1] + green[3]) // 2
        region = image.crop((0, middle - 34, green[0] - 4, middle + 34))
        ink = where(region, INK).getbbox()
        assert ink is not None
        return ink, amount(region, INK)

    (_, accented_top, _, _), accented_ink = label_ink("1. Åtgärder för människor")
    (_, plain_top, _, _), plain_ink = label_ink("1. Atgarder for manniskor")
    assert accented_top < plain_top - 2
    assert accented_ink > plain_ink


def test_the_shipped_font_draws_every_chart(monkeypatch):
    loaded: list[str] = []
    truetype = charts.ImageFont.truetype

    def recording(path, *args, **kwargs):
        loaded.append(str(path))
        return truetype(path, *args, **kwargs)

    for cached in (charts.font, charts.fit, charts._text_patch):
        cached.cache_clear()
    monkeypatch.setattr(charts.ImageFont, "truetype", recording)
    readiness_png(readiness(labels=("1. Åtgärder för människor", *LABELS[1:])))
    count_png(CountChart("Var är vi – på resan?", LABELS, (1,) * 10, "Deltagare: 10"))
    fonts = ROOT / "bot" / "render" / "fonts"
    assert set(loaded) == {str(fonts / "DejaVuSans.ttf"), str(fonts / "DejaVuSans-Bold.ttf")}
    for cached in (charts.font, charts.fit, charts._text_patch):
        cached.cache_clear()

    for bold in (False, True):
        face = charts.font(30, bold)
        assert face.getname()[0] == "DejaVu Sans"
        missing = glyph(face, "\ue000")  # a private-use code point: the font has no glyph
        for letter in "åäöÅÄÖ–é…":
            drawn = glyph(face, letter)
            assert drawn.getbbox() is not None and drawn.tobytes() != missing.tobytes(), letter


def glyph(face, letter: str) -> Image.Image:
    image = Image.new("L", (60, 60))
    ImageDraw.Draw(image).text((10, 10), letter, font=face, fill=255)
    return image


def test_fonts_are_loaded_once():
    charts.font.cache_clear()
    first = charts.font(27, True)
    assert charts.font(27, True) is first
    assert charts.font.cache_info().misses == 1


def test_the_fonts_and_their_licence_are_package_data():
    fonts = ROOT / "bot" / "render" / "fonts"
    assert {p.name for p in fonts.iterdir()} >= {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"}
    assert "Bitstream Vera" in (fonts / "LICENSE").read_text(encoding="utf-8")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["bot.render"]
    assert "fonts/*.ttf" in patterns and "fonts/LICENSE" in patterns
    dependencies = config["project"]["dependencies"]
    assert any(d.startswith("pillow") for d in dependencies)
    assert not any(d.startswith("matplotlib") for d in dependencies)


LONG = (
    "Beredskap per steg för klusterorganisationen Östergötlands Livsmedelskluster och alla dess "
    "medlemmar i hela regionen, med Supercalifragilisticexpialidociousnessinternationalisering"
)


def inked_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    return ImageChops.difference(image, Image.new("RGB", image.size, WHITE)).getbbox()


def test_long_texts_wrap_or_shrink_inside_the_readiness_chart():
    chart = readiness(
        title=LONG,
        labels=tuple(f"{n}. {LONG[: 12 * n]}" for n in range(1, 11)),
        threshold=95,
        threshold_label="ready from 95 % according to the shared assessment template of the region",
        axis_label=LONG,
        current=10,
    )
    image = picture(readiness_png(chart))
    inked = inked_box(image)
    assert inked is not None
    left, top, right, bottom = inked
    assert left >= 16 and top >= 16 and right <= image.width - 16 and bottom <= image.height - 16


def test_long_texts_wrap_or_shrink_inside_the_count_chart():
    chart = CountChart(
        title="Workshop $x$ " * 12,
        labels=tuple(f"{n}. {LONG[: 12 * n]}" for n in range(1, 11)),
        counts=(1200, 3, 0, 1200, 7, 55, 1, 0, 0, 2),
        note="Deltagare: 2468 · Steg ej angivet: 2 · " * 4,
    )
    image = picture(count_png(chart))
    inked = inked_box(image)
    assert inked is not None
    left, top, right, bottom = inked
    assert left >= 16 and top >= 16 and right <= 1440 - 16 and bottom <= 1080 - 16


words = st.lists(
    st.text(st.sampled_from("aåäöÅÄÖébcdefghijklmnopqrstuvwxyzWM–.&?"), min_size=1, max_size=40),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(words=words, width=st.integers(30, 900), max_lines=st.integers(1, 3))
def test_fitted_text_never_exceeds_its_width_and_keeps_whole_glyphs(words, width, max_lines):
    text = " ".join(words)
    fitted = charts.fit((text,), width, 40, 16, bold=True, max_lines=max_lines)
    lines = fitted.lines[0]
    assert 1 <= len(lines) <= max_lines
    for line in lines:
        assert fitted.font.getlength(line) <= width
    # the words hold no "-": every hyphen was added where a word too long for a line broke
    drawn = "".join(lines).replace(" ", "").replace(charts.HYPHEN, "")
    original = text.replace(" ", "")
    if drawn.endswith(charts.ELLIPSIS):  # shortened after a whole character
        kept = drawn.removesuffix(charts.ELLIPSIS)
        assert original.startswith(kept) and len(kept) < len(original)
    else:
        assert drawn == original


def test_the_workshops_most_chosen_steps_are_orange():
    counts = (1, 5, 2, 0, 3, 5, 0, 0, 0, 1)
    image = picture(count_png(CountChart("Where they are", LABELS, counts, "Participants: 17")))
    orange, blue = box(image, ORANGE), box(image, BLUE)
    assert orange is not None and blue is not None
    assert orange[2] > blue[2] + 100  # the longest bars are the orange ones
    order = [name for name, _, _ in runs(image, orange[0] + 3, {ORANGE: "o", BLUE: "b"})]
    assert order == ["b", "o", "b", "b", "o", "b"]  # steps 1, 2, 3, 5, 6, 10


def test_a_workshop_without_participants_draws_no_bars(content):
    with use_language("sv"):
        chart = count_chart(content, aggregate(content, []), "Var deltagarna är")
    image = picture(count_png(chart))
    assert image.size == (1440, 1080)
    assert box(image, ORANGE) is None and box(image, BLUE) is None
    assert amount(image, INK) > 1000  # the title, the labels and the note are there


def test_nothing_the_bot_runs_imports_matplotlib():
    code = (
        "import sys, bot.cli, bot.telegram.app, bot.terminal\n"
        "from bot.render.charts import count_png, readiness_png\n"
        "from flows.messages import CountChart, ReadinessChart\n"
        "readiness_png(ReadinessChart('T', ('1. Å',), (0,), 70, 1, 'redo', 'axel'))\n"
        "count_png(CountChart('T', ('1. Å',), (0,), 'Deltagare: 0'))\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


PURPLE = (0x7B, 0x5E, 0xA7)  # the stripes of "not sure"
ANSWERS = ("yes", "partly", "no", "yes", "unsure", "partly", "yes", "no", "yes", "yes")


def quick_chart(content, lang: str, answers=ANSWERS) -> ReadinessChart:
    given = {s.key_question.id: a for s, a in zip(content.steps, answers, strict=True)}
    with use_language(lang):
        chart = chart_attachment(content, score(content, given), given, "2 December 2026").content
    assert isinstance(chart, ReadinessChart)
    return chart


@pytest.mark.parametrize(
    ("lang", "words", "ticks"),
    [
        ("sv", ("Ja", "Delvis", "Nej", "Ja", "Vet inte"), ("Nej", "Delvis", "Ja")),
        ("en", ("Yes", "Partly", "No", "Yes", "Not sure"), ("No", "Partly", "Yes")),
    ],
)
def test_a_quick_check_chart_reads_in_answers_not_in_false_percentages(content, lang, words, ticks):
    chart = quick_chart(content, lang)
    assert chart.values[:5] == words
    assert tuple(label for _, label in chart.scale) == ticks
    assert not any("%" in value for value in chart.values)
    assert chart.unsure == (0, 0, 0, 0, 100, 0, 0, 0, 0, 0)
    assert [role for role, _ in chart.key] == ["current", "ready", "not_ready", "unsure"]


def test_a_full_check_chart_keeps_percentages_and_the_unsure_share(content):
    answers = {q.id: "yes" for step in content.steps for q in step.questions}
    first = content.steps[0].questions
    answers[first[0].id] = "unsure"
    with use_language("en"):
        chart = chart_attachment(content, score(content, answers), answers).content
    assert isinstance(chart, ReadinessChart)
    assert chart.values[1] == "100%"
    assert chart.unsure[0] == round(100 / len(first))
    assert chart.values[0] == f"{100 - chart.unsure[0]}%"
    assert [label for _, label in chart.scale] == ["0", "20", "40", "60", "80", "100"]


def test_not_sure_is_drawn_apart_from_no_with_a_key(content):
    """The step answered "not sure" carries a purple striped mark on its row, the step answered
    "no" none; the key under the axis shows the stripes too. Without any "not sure" answer
    there are no stripes anywhere."""
    image = picture(readiness_png(quick_chart(content, "en")))
    green = box(image, GREEN)
    assert green is not None
    purple = where(image, PURPLE)
    rows = []
    for y in range(image.height):
        if purple.crop((green[0], y, image.width, y + 1)).histogram()[255] > 4:
            rows.append(y)  # a row of stripes in the plot
    assert rows, "no striped mark"
    plot_bottom = max(rows)
    key = purple.crop((0, plot_bottom + 60, image.width, image.height)).getbbox()
    assert key is not None, "the key has no striped swatch"

    unsure_free = picture(readiness_png(quick_chart(content, "en", ("no",) * 10)))
    assert amount(unsure_free, PURPLE) == 0


def longest_column(image: Image.Image, colour: tuple[int, int, int]) -> int:
    """The most pixels of `colour` in one column: a vertical line's length."""
    mask = where(image, colour)
    return max(mask.crop((x, 0, x + 1, image.height)).histogram()[255] for x in range(image.width))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_quick_checks_not_sure_is_no_full_bar_and_words_get_no_percentage_line(content, lang):
    """Issue 26: "Vet inte" scores 0, so it is a short mark, not a bar as long as "Ja"; and
    "ready from 70 %" has no place on an axis of No / Partly / Yes."""
    chart = quick_chart(content, lang)
    assert chart.words and chart.threshold_label == ""
    image = picture(readiness_png(chart))
    green = box(image, GREEN)
    purple = where(image, PURPLE).crop((green[0], 0, image.width, image.height - 150)).getbbox()
    assert green is not None and purple is not None
    assert purple[2] - purple[0] < (green[2] - green[0]) / 8  # a mark, far shorter than "Ja"
    assert longest_column(image, THRESHOLD) < 60  # no dashed line down the plot
    full = readiness(threshold_label="ready from 70%")
    assert longest_column(picture(readiness_png(full)), THRESHOLD) > 200  # as percentages have


async def test_charts_are_drawn_off_the_event_loop_two_at_a_time(content, monkeypatch):
    """A room's summaries at once: every chart is drawn, in the drawing pool's threads (never
    the event loop's, never more than two), in the language of the summary it belongs to."""
    import asyncio
    import threading

    import bot.render as render_module

    drawing: list[str] = []
    real = render_module.render

    def recorded(attachment):
        drawing.append(threading.current_thread().name)
        return real(attachment)

    monkeypatch.setattr(render_module, "render", recorded)
    with use_language("sv"):
        swedish = chart_attachment(content, score(content, {}))
    with use_language("en"):
        english = chart_attachment(content, score(content, {}))
    drawn = await asyncio.gather(*(render_module.drawn(a) for a in [swedish, english] * 6))
    assert all(picture(data).size == (1000, 1120) for data in drawn)
    assert drawn[0] != drawn[1] and drawn[0] == drawn[2]  # each in its own language
    assert threading.current_thread().name not in drawing
    assert len(set(drawing)) <= render_module.DRAWERS and len(drawing) == 12

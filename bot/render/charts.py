"""The charts as PNG, drawn with Pillow from the flows' descriptions.

A chart takes a few milliseconds: rectangles, lines and text drawn in C, then the PNG encoder.
Text is set in DejaVu Sans, shipped in `fonts/` so that å, ä, ö, – and é look the same on every
machine, with Pillow's basic layout (no libraqm needed, the same result everywhere). Text that
does not fit its place is shrunk a little, then wrapped, and only as a last resort ends with "…"
after a whole glyph: nothing is ever cut mid-glyph or drawn outside the picture.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont

from flows.messages import CountChart, ReadinessChart

FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"

# the colours mean the same in both charts and in every language
CURRENT = "#e07a1f"  # the step to work on now (readiness) / the most chosen steps (workshop)
READY = "#2e7d5b"  # at or above the threshold
NOT_READY = "#9db4c8"
UNSURE = "#7b5ea7"  # "not sure": stripes on a light band, apart from the bar
UNSURE_LIGHT = "#ece6f4"
OTHER = "#3f7cac"  # the workshop's other steps
CURRENT_ROW = "#fcecdd"  # a light band behind the current step's row
INK = "#222222"
MUTED = "#5c6670"
GRID = "#e4e8ec"
AXIS = "#555555"
THRESHOLD = "#333333"
BACKGROUND = "#ffffff"

READINESS_SIZE = (1000, 1120)
COUNT_SIZE = (1440, 1080)
ELLIPSIS = "…"
HYPHEN = "-"


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The shipped font at `size` pixels, loaded once per size and weight."""
    path = BOLD if bold else REGULAR
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


@dataclass(frozen=True)
class Fitted:
    """Texts set in one font so that each fits a width: the font, each text's lines and the
    distance between lines."""

    font: ImageFont.FreeTypeFont
    lines: tuple[tuple[str, ...], ...]
    line_height: int

    def height(self, index: int = 0) -> int:
        return len(self.lines[index]) * self.line_height

    def width(self) -> float:
        return max((self.font.getlength(line) for ls in self.lines for line in ls), default=0)


@lru_cache(maxsize=256)
def fit(
    texts: tuple[str, ...],
    width: int,
    size: int,
    smallest: int,
    bold: bool = False,
    max_lines: int = 1,
) -> Fitted:
    """One font size for all `texts` so that each fits `width` in at most `max_lines` lines:
    first one line, shrinking to 85 % of `size`; then more lines, shrinking down to
    `smallest`. Whatever still does not fit ends with "…" after its last whole glyph."""
    for lines in range(1, max_lines + 1):
        floor = smallest if lines == max_lines else max(smallest, round(size * 0.85))
        for candidate in range(size, floor - 1, -1):
            face = font(candidate, bold)
            wrapped = tuple(_wrap(text, face, width) for text in texts)
            if all(len(w) <= lines for w in wrapped):
                return Fitted(face, wrapped, _line_height(candidate))
    face = font(smallest, bold)
    wrapped = tuple(_shorten(_wrap(text, face, width), face, width, max_lines) for text in texts)
    return Fitted(face, wrapped, _line_height(smallest))


def _line_height(size: int) -> int:
    return math.ceil(size * 1.22)


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> tuple[str, ...]:
    """Greedy word wrap by the drawn width. A word wider than `width` is broken between
    characters with a hyphen, its first part filling the line it starts on."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if face.getlength(candidate) <= width:
            current = candidate
            continue
        if face.getlength(word) <= width:
            lines.append(current)
            current = word
            continue
        while face.getlength(f"{current} {word}" if current else word) > width:
            lead = f"{current} " if current else ""
            room = width - face.getlength(lead + HYPHEN)
            cut = _fitting_prefix(word, face, room)
            if cut < 2:  # not even two characters fit after what the line holds
                if current:
                    lines.append(current)
                    current = ""
                    continue
                cut = max(1, _fitting_prefix(word, face, width))
                lines.append(word[:cut])
            else:
                lines.append(lead + word[:cut] + HYPHEN)
            current, word = "", word[cut:]
        current = f"{current} {word}" if current else word
    if current or not lines:
        lines.append(current)
    return tuple(lines)


def _fitting_prefix(text: str, face: ImageFont.FreeTypeFont, width: float) -> int:
    """The number of leading characters of `text` that fit `width`."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if face.getlength(text[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _shorten(
    lines: tuple[str, ...], face: ImageFont.FreeTypeFont, width: int, max_lines: int
) -> tuple[str, ...]:
    if len(lines) <= max_lines:
        return lines
    last = " ".join(lines[max_lines - 1 :])
    room = width - face.getlength(ELLIPSIS)
    last = last[: _fitting_prefix(last, face, room)].rstrip()
    return (*lines[: max_lines - 1], last + ELLIPSIS)


TEXT_COLOURS = (INK, MUTED, THRESHOLD)
TEXT_BACKGROUNDS = (BACKGROUND, CURRENT_ROW)
SHADES = 32  # antialiasing levels kept per text colour and background
FLAT = (
    BACKGROUND,
    CURRENT,
    READY,
    NOT_READY,
    UNSURE,
    UNSURE_LIGHT,
    OTHER,
    CURRENT_ROW,
    INK,
    MUTED,
    GRID,
    AXIS,
    THRESHOLD,
)


def _rgb(colour: str) -> tuple[int, int, int]:
    red, green, blue = ImageColor.getrgb(colour)[:3]
    return red, green, blue


def _build_palette() -> tuple[list[int], dict[str, int], dict[tuple[str, str], list[int]]]:
    """The charts' palette: every flat colour, then for each text colour on each background
    the blends antialiasing makes; with, per pair, the palette index of each coverage 0–255."""
    colours = [_rgb(c) for c in FLAT]
    index = {c: i for i, c in enumerate(FLAT)}
    ramps: dict[tuple[str, str], list[int]] = {}
    for text in TEXT_COLOURS:
        for background in TEXT_BACKGROUNDS:
            ink, paper = _rgb(text), _rgb(background)
            shades = [index[background]]
            for level in range(1, SHADES):
                share = level / SHADES
                shades.append(len(colours))
                colours.append(
                    (
                        round(ink[0] * share + paper[0] * (1 - share)),
                        round(ink[1] * share + paper[1] * (1 - share)),
                        round(ink[2] * share + paper[2] * (1 - share)),
                    )
                )
            shades.append(index[text])
            ramps[text, background] = [shades[round(v * SHADES / 255)] for v in range(256)]
    assert len(colours) <= 256
    return [v for colour in colours for v in colour], index, ramps


PALETTE, INDEX, RAMPS = _build_palette()
COVERED = [0] + [255] * 255  # a coverage mask: every pixel the text touches at all


@lru_cache(maxsize=512)
def _text_patch(
    text: str, size: int, bold: bool, colour: str, background: str, anchor: str
) -> tuple[Image.Image, Image.Image, int, int]:
    """`text` drawn once as palette pixels (its colour blended onto `background` by coverage)
    and the mask of the pixels it covers, with the offset of its box from the anchor point.
    Labels, titles, ticks and values repeat from chart to chart, so this is mostly a lookup."""
    face = font(size, bold)
    left, top, right, bottom = face.getbbox(text, anchor=anchor)
    width, height = max(1, int(right - left)), max(1, int(bottom - top))
    coverage = Image.new("L", (width, height), 0)
    ImageDraw.Draw(coverage).text((-left, -top), text, font=face, fill=255, anchor=anchor)
    patch = Image.frombytes("P", coverage.size, coverage.point(RAMPS[colour, background]).tobytes())
    mask = coverage.point(COVERED).convert("1", dither=Image.Dither.NONE)
    return patch, mask, int(left), int(top)


class Canvas:
    """A palette image drawn in the charts' colours (by name), with cached text."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.image = Image.new("P", size, INDEX[BACKGROUND])
        self.image.putpalette(PALETTE)
        self.draw = ImageDraw.Draw(self.image)

    def rectangle(self, box: tuple[float, float, float, float], colour: str) -> None:
        self.draw.rectangle(box, fill=INDEX[colour])

    def band(self, box: tuple[float, float, float, float], colour: str, radius: int) -> None:
        self.draw.rounded_rectangle(box, radius, fill=INDEX[colour])

    def line(self, points: list[tuple[float, float]], colour: str, width: int) -> None:
        self.draw.line(points, fill=INDEX[colour], width=width)

    def hatched(self, box: tuple[float, float, float, float], colour: str, paper: str) -> None:
        """A band of `paper` with 45° stripes of `colour`, outlined: a share not yet known."""
        left, top, right, bottom = box
        self.rectangle(box, paper)
        height, spacing = bottom - top, 14
        start = left - height
        while start < right:
            x0, x1 = max(left, start), min(right, start + height)
            if x1 > x0:
                self.line([(x0, bottom - (x0 - start)), (x1, bottom - (x1 - start))], colour, 3)
            start += spacing
        self.draw.rectangle(box, outline=INDEX[colour], width=2)

    def dashed_vline(self, x: float, top: float, bottom: float, colour: str, width: int) -> None:
        dash, gap = 12, 8
        y = top
        while y < bottom:
            self.line([(x, y), (x, min(y + dash, bottom))], colour, width)
            y += dash + gap

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        face: ImageFont.FreeTypeFont,
        colour: str = INK,
        background: str = BACKGROUND,
        anchor: str = "la",
    ) -> None:
        if not text:
            return
        bold = face.path == str(BOLD)
        patch, mask, left, top = _text_patch(text, int(face.size), bold, colour, background, anchor)
        self.image.paste(patch, (round(xy[0]) + left, round(xy[1]) + top), mask)

    def text_box(
        self, xy: tuple[float, float], text: str, face: ImageFont.FreeTypeFont, anchor: str
    ) -> tuple[int, int, int, int]:
        left, top, right, bottom = face.getbbox(text, anchor=anchor)
        x, y = round(xy[0]), round(xy[1])
        return x + int(left), y + int(top), x + int(right), y + int(bottom)

    def lines(
        self,
        x: float,
        y_middle: float,
        lines: Sequence[str],
        fitted: Fitted,
        align: str,
        colour: str = INK,
        background: str = BACKGROUND,
        face: ImageFont.FreeTypeFont | None = None,
    ) -> None:
        """`lines` centred vertically on `y_middle`; `align` is "l", "m" or "r" at `x`."""
        top = y_middle - len(lines) * fitted.line_height / 2
        for i, line in enumerate(lines):
            y = top + (i + 0.5) * fitted.line_height
            self.text((x, y), line, face or fitted.font, colour, background, align + "m")

    def png(self) -> bytes:
        """A palette PNG: it encodes several times faster than RGB (no per-line filter search)
        and into a third of the bytes."""
        buffer = io.BytesIO()
        self.image.save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()


def _colours(percents: Sequence[int | None], threshold: int, current: int | None) -> list[str]:
    colours = []
    for number, percent in enumerate(percents, start=1):
        if number == current:
            colours.append(CURRENT)  # the step to work on now
        elif percent is not None and percent >= threshold:
            colours.append(READY)
        else:
            colours.append(NOT_READY)
    return colours


def readiness_png(data: ReadinessChart) -> bytes:
    """Horizontal bars, step 1 at the top, 0–100 %, the threshold as a dashed line, the current
    step orange on a light band with its label in bold (visible at 0 % too)."""
    width, height = READINESS_SIZE
    margin = 44
    inner = width - 2 * margin
    canvas = Canvas(READINESS_SIZE)

    title = fit((data.title,), inner, 40, 26, bold=True, max_lines=2)
    canvas.lines(margin, margin + title.height() / 2, title.lines[0], title, "l")
    head = margin + title.height()
    if data.subtitle:
        subtitle = fit((data.subtitle,), inner, 26, 18)
        canvas.lines(margin, head + 6 + subtitle.height() / 2, subtitle.lines[0], subtitle, "l",
                     MUTED)  # fmt: skip
        head += 6 + subtitle.height()
    values = data.values or tuple(
        "–" if p is None else data.value_format.format(percent=p) for p in data.percents
    )
    unsure = data.unsure or (0,) * len(data.percents)
    scale = data.scale or tuple((tick, str(tick)) for tick in range(0, 101, 20))

    # measured in bold, the current step's weight, so that every label fits either way
    labels = fit(tuple(data.labels), round(inner * 0.42), 28, 18, bold=True, max_lines=2)
    label_faces = font(int(labels.font.size)), labels.font
    label_width = labels.width()
    value_face = font(26)
    value_bold = font(26, bold=True)
    plot_left = margin + math.ceil(label_width) + 22
    widest = max(value_bold.getlength(v) for v in (*values, "100 %"))  # "Vet inte", "100 %"
    plot_right = width - margin - math.ceil(widest) - 16
    plot_width = plot_right - plot_left

    def x_of(percent: float) -> float:
        return plot_left + plot_width * max(0.0, min(percent, 100.0)) / 100

    threshold_x = x_of(data.threshold)
    right_room = width - margin - threshold_x - 10
    left_room = threshold_x - 10 - margin
    marker = fit((data.threshold_label,), math.floor(max(right_room, left_room)), 24, 14)
    axis = fit((data.axis_label,), plot_width, 26, 18, max_lines=2)
    ticks = font(22)
    marker_height = _line_height(24)
    plot_top = head + 26 + marker_height + 8
    key_rows = _key_rows(data.key, inner)
    key_top = height - margin - len(key_rows) * KEY_ROW
    axis_top = key_top - (18 if key_rows else 0) - axis.height()
    plot_bottom = axis_top - 14 - _line_height(22) - 14

    count = max(len(data.labels), 1)
    row = (plot_bottom - plot_top) / count
    bar = row * 0.64

    if data.current is not None and 1 <= data.current <= len(data.labels):
        top = plot_top + (data.current - 1) * row
        canvas.band((margin - 12, top + 2, width - margin + 12, top + row - 2), CURRENT_ROW, 10)
    for tick, _label in scale:
        if tick > 0:
            x = x_of(tick)
            canvas.line([(x, plot_top), (x, plot_bottom)], GRID, 2)

    colours = _colours(data.percents, data.threshold, data.current)
    ends = []
    for index, (percent, colour) in enumerate(zip(data.percents, colours, strict=True)):
        middle = plot_top + (index + 0.5) * row
        end = x_of(percent or 0)
        if index + 1 == data.current:
            end = max(end, plot_left + 10)  # a stub, so the current step shows at 0 % too
        if end > plot_left:
            canvas.rectangle((plot_left, middle - bar / 2, end, middle + bar / 2), colour)
        if unsure[index]:  # what "not sure" leaves open, after what is known
            start = x_of(percent or 0)
            stop = x_of((percent or 0) + unsure[index])
            if data.words:  # one answer, "not sure": a mark that it is open, not a length
                stop = start + UNSURE_MARK
            canvas.hatched((start, middle - bar / 2, stop, middle + bar / 2), UNSURE, UNSURE_LIGHT)
            end = max(end, stop)
        ends.append(end)
    if not data.words:  # a percentage line has no place on an axis of words
        canvas.dashed_vline(threshold_x, plot_top - marker_height - 4, plot_bottom, THRESHOLD, 3)

    for index, end in enumerate(ends):
        middle = plot_top + (index + 0.5) * row
        current = index + 1 == data.current
        paper = CURRENT_ROW if current else BACKGROUND
        face = value_bold if current else value_face
        text = values[index]
        box = canvas.text_box((end + 10, middle), text, face, "lm")
        # the value stays readable where it crosses the threshold line
        canvas.rectangle((box[0] - 4, box[1] - 4, box[2] + 4, box[3] + 4), paper)
        canvas.text((end + 10, middle), text, face, INK, paper, "lm")
        canvas.lines(
            plot_left - 16,
            middle,
            labels.lines[index],
            labels,
            "r",
            INK,
            paper,
            label_faces[current],
        )

    label_y = plot_top - 4 - marker_height / 2
    if not data.words:
        label = marker.lines[0][0]
        if marker.font.getlength(label) <= right_room:
            canvas.text((threshold_x + 10, label_y), label, marker.font, THRESHOLD, anchor="lm")
        else:
            canvas.text((threshold_x - 10, label_y), label, marker.font, THRESHOLD, anchor="rm")

    ticks_at = [(x_of(tick), label) for tick, label in scale]
    _axes(canvas, (plot_left, plot_top, plot_right, plot_bottom), ticks_at, ticks, 8, 14)
    middle = (plot_left + plot_right) / 2
    canvas.lines(middle, axis_top + axis.height() / 2, axis.lines[0], axis, "m")
    _draw_key(canvas, key_rows, margin, key_top)
    return canvas.png()


UNSURE_MARK = 28  # px: how wide a quick check's "not sure" mark is
KEY_ROW = 40  # the height of one row of the key
KEY_SWATCH = 26
KEY_FONT = 22
KEY_COLOURS = {"current": CURRENT, "ready": READY, "not_ready": NOT_READY}


def _key_rows(key: Sequence[tuple[str, str]], width: int) -> list[list[tuple[str, str]]]:
    """The key's entries in rows that fit `width`: swatch, label, then a gap."""
    face = font(KEY_FONT)
    rows: list[list[tuple[str, str]]] = []
    used: float = width + 1
    for role, label in key:
        size = KEY_SWATCH + 10 + face.getlength(label) + 30
        if used + size > width and (not rows or rows[-1]):
            rows.append([])
            used = 0
        rows[-1].append((role, label))
        used += size
    return rows


def _draw_key(canvas: Canvas, rows: list[list[tuple[str, str]]], left: int, top: int) -> None:
    face = font(KEY_FONT)
    for number, row in enumerate(rows):
        middle = top + (number + 0.5) * KEY_ROW
        x: float = left
        for role, label in row:
            box = (x, middle - KEY_SWATCH / 2, x + KEY_SWATCH, middle + KEY_SWATCH / 2)
            if role == "unsure":
                canvas.hatched(box, UNSURE, UNSURE_LIGHT)
            else:
                canvas.rectangle(box, KEY_COLOURS.get(role, NOT_READY))
            canvas.text((x + KEY_SWATCH + 10, middle), label, face, INK, anchor="lm")
            x += KEY_SWATCH + 10 + face.getlength(label) + 30


def _axes(
    canvas: Canvas,
    plot: tuple[float, float, float, float],
    scale: list[tuple[float, str]],
    face: ImageFont.FreeTypeFont,
    tick_length: int,
    gap: int,
) -> None:
    """Both charts' axes: the left and bottom lines of the plot (left, top, right, bottom),
    and a tick under it at each x of `scale`, labelled `gap` pixels below the line."""
    left, top, right, bottom = plot
    canvas.line([(left, top), (left, bottom)], AXIS, 2)
    canvas.line([(left, bottom), (right, bottom)], AXIS, 2)
    for x, label in scale:
        canvas.line([(x, bottom), (x, bottom + tick_length)], AXIS, 2)
        canvas.text((x, bottom + gap), label, face, MUTED, anchor="ma")


def _tick_step(largest: int) -> int:
    """A round step (1, 2, 5, 10, 20, …) giving at most six ticks up to `largest`."""
    raw = max(largest, 1) / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        step = factor * magnitude
        if step >= raw:
            return max(1, int(step))
    return max(1, int(10 * magnitude))


def count_png(data: CountChart) -> bytes:
    """Participants per step as horizontal bars (step 1 at the top), the most chosen steps
    orange, the counts in bold at the bars' ends, the note under the axis; large type for a
    projector that stays legible on a phone."""
    width, height = COUNT_SIZE
    margin = 56
    inner = width - 2 * margin
    canvas = Canvas(COUNT_SIZE)

    title = fit((" ".join(data.title.split()),), inner, 46, 28, bold=True, max_lines=2)
    canvas.lines(margin, margin + title.height() / 2, title.lines[0], title, "l")

    counts = list(data.counts)
    largest = max(counts, default=0)
    labels = fit(tuple(data.labels), round(inner * 0.38), 34, 22, max_lines=2)
    count_face = font(34, bold=True)
    zero_face = font(34)
    plot_left = margin + math.ceil(labels.width()) + 24
    plot_right = width - margin - math.ceil(count_face.getlength(str(largest))) - 18
    plot_width = plot_right - plot_left

    note = fit((data.note,), plot_width, 30, 20, max_lines=2)
    ticks = font(26)
    plot_top = margin + title.height() + 36
    note_top = height - margin - note.height()
    plot_bottom = note_top - 16 - _line_height(26) - 18

    top_value = max(largest, 1)
    step = _tick_step(top_value)
    rows = max(len(data.labels), 1)
    row = (plot_bottom - plot_top) / rows
    bar = row * 0.66

    def x_of(value: float) -> float:
        return plot_left + plot_width * value / top_value

    for tick in range(step, top_value + 1, step):
        x = x_of(tick)
        canvas.line([(x, plot_top), (x, plot_bottom)], GRID, 2)
    for index, value in enumerate(counts):
        middle = plot_top + (index + 0.5) * row
        end = x_of(value)
        if value:
            colour = CURRENT if value == largest else OTHER
            canvas.rectangle((plot_left, middle - bar / 2, end, middle + bar / 2), colour)
        face, ink = (count_face, INK) if value else (zero_face, MUTED)
        canvas.text((end + 12, middle), str(value), face, ink, anchor="lm")
        canvas.lines(plot_left - 18, middle, labels.lines[index], labels, "r")

    scale = [(x_of(tick), str(tick)) for tick in range(0, top_value + 1, step)]
    _axes(canvas, (plot_left, plot_top, plot_right, plot_bottom), scale, ticks, 9, 16)
    middle = (plot_left + plot_right) / 2
    canvas.lines(middle, note_top + note.height() / 2, note.lines[0], note, "m")
    return canvas.png()

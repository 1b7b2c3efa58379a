"""The action plan as an A4 PDF to print and take to the board.

Why fpdf2: it is pure Python (no Cairo, Pango or other system libraries to install, unlike
WeasyPrint), embeds our TrueType fonts as subsets (so å, ä, ö, – and ” print right and a plan
stays far below a megabyte), writes link annotations and PNG images, is well kept (monthly
releases) and typed, and its small drawing API is all a one-column document needs; ReportLab's
flowables would do the same with a much larger API and a C extension.

The layout is made of blocks (a heading, a table row, an action) whose lines are measured
before anything is drawn, so a block that fits a page is never split: it moves to the next page
whole, a heading takes its first block with it, and a table's header or an action's step is
repeated at the top of a page the table or the step continues on. Only a block taller than a
whole page is split, between lines. Black text on white, one accent colour (the chart's colour
for the current step), and every page numbered in its footer.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from fpdf import FPDF
from fpdf.enums import MethodReturnValue
from fpdf.fonts import TTFFont
from PIL import Image, ImageChops

from bot.render.charts import BOLD, CURRENT, CURRENT_ROW, REGULAR, count_png, readiness_png
from flows.messages import ActionPlan, Link, PlanAction, PlanStep, WorkshopReport

Colour = tuple[int, int, int]


def _rgb(colour: str) -> Colour:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


INK: Colour = (17, 17, 17)
MUTED: Colour = (90, 98, 106)
RULE: Colour = (200, 204, 208)
ACCENT: Colour = _rgb(CURRENT)  # the chart's colour for the step to work on now
BAND: Colour = _rgb(CURRENT_ROW)

FAMILY = "DejaVu"
MARGIN = 18.0  # mm, left, right and top
BOTTOM = 22.0  # mm under the text: the footer lives there
CHART_WIDTH = 115.0  # mm
PT = 25.4 / 72  # one point in mm
LEADING = 1.32  # line height as a multiple of the font size

TITLE, SUBTITLE, HEADING, SUBHEADING, BODY, SMALL, FOOT = 21.0, 13.5, 13.5, 11.5, 10.0, 8.5, 8.0
# the number of pages, filled in on closing: private-use characters no user types, three of
# them so that fpdf2 keeps room for three digits
PAGES_ALIAS = "\ue000" * 3
MARKS = {"open": "☐", "overdue": "☐", "done": "☑", "dropped": "☒"}


@dataclass(frozen=True)
class Cell:
    """Text at `x` mm from the left margin, wrapped to `w` mm; a link makes it clickable."""

    text: str
    x: float
    w: float
    size: float = BODY
    style: str = ""  # fpdf2's letters: B bold, U underline, S strikethrough
    colour: Colour = INK
    link: str = ""
    align: str = "L"


@dataclass(frozen=True)
class Row:
    """Cells side by side; the row is as tall as its longest cell."""

    cells: tuple[Cell, ...]
    after: float = 0.0  # mm below the row


@dataclass(frozen=True)
class Block:
    """Rows that belong together and stay on one page when they fit one."""

    rows: tuple[Row, ...]
    before: float = 0.0  # mm above, dropped at the top of a page
    after: float = 0.0  # mm below
    pad: float = 0.0  # mm inside the block, above and below its rows
    band: Colour | None = None  # a background behind the block
    mark: Colour | None = None  # a bar down the block's left edge
    rule: Colour | None = None  # a line under the block


@dataclass(frozen=True)
class Line:
    """One measured line of a block: the text each cell shows on it, and its height."""

    parts: tuple[tuple[Cell, str], ...]
    height: float


MISSING = "□"  # in place of a character the font has no glyph for (an emoji, Chinese)
_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SPACES = re.compile(r"[\t\v\f]")  # no-break spaces stay: "70 %" must not break


def printable(text: str, glyphs: frozenset[int]) -> str:
    """`text` as the font can show it: composed (NFC), tabs as spaces, invisible characters
    left out, and each run of characters the font lacks as one □, so that a name with an
    emoji keeps a visible trace of it instead of silently losing it."""
    text = unicodedata.normalize("NFC", _SPACES.sub(" ", _BREAKS.sub("\n", text)))
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char == "\n":
            out.append(char)
        elif category in ("Cc", "Cf") or 0xFE00 <= ord(char) <= 0xFE0F:
            continue  # controls, joiners, variation selectors: nothing to see
        elif ord(char) in glyphs:
            out.append(char)
        elif category in ("Mn", "Sk"):
            continue  # a mark or modifier (a skin tone) the font lacks, on what it lacks
        elif not out or out[-1] != MISSING:
            out.append(MISSING)
    return "".join(out)


def _leading(size: float) -> float:
    return size * PT * LEADING


class DocumentPDF(FPDF):
    """One A4 document of ours (the action plan, the workshop report): fonts, margins,
    metadata and the footer on every page."""

    def __init__(self, title: str, subject: str, lang: str, footer: str, page: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer
        self.page_label = page  # "Page {page} of {pages}"
        self.add_font(FAMILY, "", REGULAR)
        self.add_font(FAMILY, "B", BOLD)
        faces = [face for face in self.fonts.values() if isinstance(face, TTFFont)]
        self.glyphs = frozenset.intersection(*(frozenset(face.cmap) for face in faces))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False, BOTTOM)  # every break is ours, between whole lines
        self.c_margin = 0  # cells start exactly at their x
        self.set_title(" – ".join(t for t in (title, subject) if t))
        if subject:
            self.set_subject(subject)
        self.set_lang(lang)
        self.set_creator("Cluster Journey")
        self.set_display_mode("fullwidth")
        self.alias_nb_pages(PAGES_ALIAS)
        self._measured: dict[Block, list[Line]] = {}
        self.add_page()

    @property
    def bottom(self) -> float:
        return self.h - BOTTOM

    def footer(self) -> None:
        """ "Sida 2 av 5" on the left, the plan's footer on the right, under a hairline. The
        number of pages is fpdf2's alias, filled in when the document is closed; it is set
        first in the line because the alias keeps room for three digits, which would show as
        a gap before right-aligned text."""
        top = self.h - BOTTOM + 8
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(MARGIN, top, self.w - MARGIN, top)
        self.set_font(FAMILY, "", FOOT)
        self.set_text_color(*MUTED)
        number = self.page_label.replace("{page}", str(self.page_no()))
        number = number.replace("{pages}", PAGES_ALIAS)
        number_width = self.get_string_width(number)
        self.set_xy(MARGIN, top + 1.5)
        self.cell(number_width, _leading(FOOT), number)
        self.set_xy(MARGIN + number_width + 8, top + 1.5)
        footer = printable(self.footer_text, self.glyphs)
        self.multi_cell(self.epw - number_width - 8, _leading(FOOT), footer, align="R")

    # measuring and drawing blocks

    def lines(self, block: Block) -> list[Line]:
        """The block's lines, as they will be drawn; a row's spacing is an empty line.
        Measured once per block: a block is measured to place it, then drawn."""
        if block not in self._measured:
            self._measured[block] = self._measure(block)
        return self._measured[block]

    def _measure(self, block: Block) -> list[Line]:
        out: list[Line] = []
        for row in block.rows:
            wrapped = [(cell, self._wrap(cell)) for cell in row.cells]
            count = max((len(texts) for _, texts in wrapped), default=0)
            for index in range(count):
                parts = tuple((cell, texts[index]) for cell, texts in wrapped if index < len(texts))
                out.append(Line(parts, max(_leading(cell.size) for cell, _ in parts)))
            if row.after:
                out.append(Line((), row.after))
        while out and not out[-1].parts:
            out.pop()
        return out

    def _wrap(self, cell: Cell) -> list[str]:
        if not printable(cell.text, self.glyphs).strip():
            return []
        self._font(cell)
        result = self.multi_cell(
            cell.w,
            _leading(cell.size),
            printable(cell.text, self.glyphs),
            align="L",
            dry_run=True,
            output=MethodReturnValue.LINES,
        )
        assert isinstance(result, list)
        return [str(line) for line in result]

    def height(self, block: Block) -> float:
        return 2 * block.pad + sum(line.height for line in self.lines(block)) + block.after

    def _font(self, cell: Cell) -> None:
        self.set_font(FAMILY, cell.style, cell.size)
        self.set_text_color(*cell.colour)

    def at_top(self) -> bool:
        return self.get_y() <= self.t_margin + 0.01

    def new_page(self, repeat: Sequence[Block] = ()) -> None:
        self.add_page()
        for block in repeat:
            self.draw(block)

    def keep(self, blocks: Sequence[Block], repeat: Sequence[Block] = ()) -> None:
        """Draw `blocks` on one page: the next one if they do not fit the rest of this one
        (and would fit an empty page below the repeated blocks)."""
        before = sum(block.before for block in blocks) - (blocks[0].before if self.at_top() else 0)
        needed = before + sum(self.height(block) for block in blocks)
        room = self.bottom - self.get_y()
        empty_page = self.bottom - self.t_margin - sum(self.height(b) for b in repeat)
        if needed > room and not self.at_top() and needed - blocks[0].before <= empty_page:
            self.new_page(repeat)
        for block in blocks:
            self.draw(block, repeat)

    def draw(self, block: Block, repeat: Sequence[Block] = ()) -> None:
        """Draw the block from the current position; only a block taller than the rest of the
        page is split, between lines, continuing below the repeated blocks."""
        if block.before and not self.at_top():
            self.set_y(self.get_y() + block.before)
        lines = self.lines(block)
        start = 0
        while start < len(lines):
            if not self.at_top():
                while start < len(lines) and not lines[start].parts:
                    start += 1  # no spacing at the top of a page
            room = self.bottom - self.get_y() - 2 * block.pad
            end, used = start, 0.0
            while end < len(lines) and used + lines[end].height <= room:
                used += lines[end].height
                end += 1
            if end == start:  # not even one line fits here
                if self.at_top():  # a line taller than a page: cannot happen with our sizes
                    end, used = start + 1, lines[start].height
                else:
                    self.new_page(repeat)
                    continue
            self._paint(block, lines[start:end], used)
            start = end
            if start < len(lines):
                self.new_page(repeat)
                while start < len(lines) and not lines[start].parts:
                    start += 1
        self.set_y(self.get_y() + block.after)

    def _paint(self, block: Block, lines: Sequence[Line], height: float) -> None:
        top = self.get_y()
        total = height + 2 * block.pad
        if block.band:
            self.set_fill_color(*block.band)
            self.rect(MARGIN, top, self.epw, total, style="F")
        if block.mark:
            self.set_fill_color(*block.mark)
            self.rect(MARGIN, top, 1.4, total, style="F")
        y = top + block.pad
        for line in lines:
            for cell, text in line.parts:
                self._font(cell)
                width = min(cell.w, self.get_string_width(text)) if cell.link else cell.w
                self.set_xy(MARGIN + cell.x, y)
                self.cell(width, line.height, text, align=cell.align, link=cell.link)
            y += line.height
        if block.rule:
            self.set_draw_color(*block.rule)
            self.set_line_width(0.25)
            self.line(MARGIN, top + total, self.w - MARGIN, top + total)
        self.set_y(top + total)

    def image_centred(self, png: bytes, width: float, alt_text: str) -> None:
        """A picture `width` mm wide in the middle of the line, on the next page if it does
        not fit this one."""
        with Image.open(io.BytesIO(png)) as picture:
            height = width * picture.height / picture.width
        if self.get_y() + height > self.bottom and not self.at_top():
            self.add_page()
        x = (self.w - width) / 2
        self.image(io.BytesIO(png), x=x, y=self.get_y(), w=width, h=height, alt_text=alt_text)
        self.set_y(self.get_y() + height + 4)


def _trimmed(png: bytes, keep: int = 12) -> bytes:
    """The picture without the empty paper above and below what is drawn on it (but `keep`
    pixels): a chart made to stand alone has room for a title this document gives it."""
    with Image.open(io.BytesIO(png)) as picture:
        background = Image.new("RGB", picture.size, (255, 255, 255))
        box = ImageChops.difference(picture.convert("RGB"), background).getbbox()
        if box is None:
            return png
        top, bottom = max(0, box[1] - keep), min(picture.height, box[3] + keep)
        if (top, bottom) == (0, picture.height):
            return png
        out = io.BytesIO()
        picture.crop((0, top, picture.width, bottom)).save(out, format="PNG", optimize=True)
        return out.getvalue()


# the plan's parts as blocks


def _heading(text: str, width: float) -> Block:
    return Block(
        (Row((Cell(text, 0, width, HEADING, "B"),), after=1.2),),
        before=7,
        after=3,
        rule=ACCENT,
    )


def _paragraph(text: str, width: float, before: float = 0.0) -> Block:
    return Block((Row((Cell(text, 0, width),)),), before=before, after=2)


def _bullets(texts: Sequence[str], width: float) -> list[Block]:
    return [Block((Row((Cell("•", 1, 4), Cell(text, 5, width - 5))),), after=1.6) for text in texts]


def _opening(plan: ActionPlan, width: float) -> list[Block]:
    rows = [Row((Cell(plan.title, 0, width, TITLE, "B"),), after=1)]
    if plan.cluster:
        rows.append(Row((Cell(plan.cluster, 0, width, SUBTITLE),), after=1))
    if plan.meta:
        rows.append(Row((Cell(plan.meta, 0, width, BODY, colour=MUTED),)))
    position = Block(
        (Row((Cell(plan.position, 5, width - 8, 11.5, "B"),)),),
        pad=2.2,
        after=5,
        band=BAND,
        mark=ACCENT,
    )
    return [Block(tuple(rows), after=6), position]


def _table_header(labels_step: str, labels_readiness: str, width: float) -> Block:
    readiness_x = width - 40
    return Block(
        (
            Row(
                (
                    Cell(labels_step, 2, readiness_x - 4, SMALL, "B", MUTED),
                    Cell(labels_readiness, readiness_x, 38, SMALL, "B", MUTED),
                )
            ),
        ),
        pad=1.2,
        rule=INK,
    )


def _table_row(step: PlanStep, held_back: str, width: float) -> Block:
    readiness_x = width - 40
    title_x, title_w = 10.0, readiness_x - 14
    readiness = f"✓ {step.readiness}" if step.ready else step.readiness
    rows = [
        Row(
            (
                Cell(f"{step.number}." if step.number else "", 0, 7.5, BODY, "B", align="R"),
                Cell(step.title, title_x, title_w, BODY, "B" if step.current else ""),
                Cell(readiness, readiness_x, 38, BODY, "B" if step.current else ""),
            )
        )
    ]
    if step.held_back:
        rows[-1] = replace(rows[-1], after=0.8)
        rows.append(Row((Cell(held_back, title_x, title_w, SMALL - 0.5, "B", MUTED),)))
        for answer in step.held_back:
            rows.append(
                Row(
                    (
                        Cell("•", title_x, 3, SMALL, colour=MUTED),
                        Cell(answer, title_x + 3, title_w - 3, SMALL, colour=MUTED),
                    )
                )
            )
    return Block(
        tuple(rows),
        pad=1.8,
        band=BAND if step.current else None,
        mark=ACCENT if step.current else None,
        rule=RULE,
    )


def _step_heading(step: PlanStep, width: float) -> Block:
    return Block(
        (Row((Cell(step.name, 0, width, SUBHEADING, "B"),)),),
        before=4,
        after=2.5,
    )


def _action(action: PlanAction, plan: ActionPlan, width: float) -> Block:
    """One action: its mark and text, then why, tools, template, and owner, due and state in
    three columns. Done is ticked; dropped is struck through and grey."""
    labels = plan.labels
    dropped = action.state == "dropped"
    ink = MUTED if dropped else INK
    mark_colour = ACCENT if action.state == "overdue" else ink
    text_x, label_w = 7.0, 24.0
    value_x = text_x + label_w
    value_w = width - value_x
    rows = [
        Row(
            (
                Cell(MARKS[action.state], 0.5, 6, 12, colour=mark_colour),
                Cell(action.text, text_x, width - text_x, 10.5, "BS" if dropped else "B", ink),
            ),
            after=1.2,
        )
    ]

    def field(label: str, value: str, link: str = "", style: str = "", size: float = BODY) -> Row:
        return Row(
            (
                Cell(label, text_x, label_w - 2, SMALL, "B", MUTED),
                Cell(value, value_x, value_w, size, style, ink, link),
            ),
            after=0.6,
        )

    if action.why:
        rows.append(field(labels.why, action.why))
    if action.template:
        rows.append(field(labels.template, action.template))
    rows[-1] = replace(rows[-1], after=1.8)
    columns = ((labels.owner, action.owner), (labels.due, action.due), (labels.state, ""))
    column_w = (width - text_x) / 3
    rows.append(
        Row(
            tuple(
                Cell(label, text_x + i * column_w, column_w - 3, SMALL, "B", MUTED)
                for i, (label, _) in enumerate(columns)
            ),
            after=0.4,
        )
    )
    state_colour = ACCENT if action.state == "overdue" else ink
    rows.append(
        Row(
            (
                Cell(action.owner or labels.nobody, text_x, column_w - 3, BODY, colour=ink),
                Cell(action.due or labels.nobody, text_x + column_w, column_w - 3, colour=ink),
                Cell(
                    action.state_label,
                    text_x + 2 * column_w,
                    column_w - 3,
                    BODY,
                    "B" if action.state == "overdue" else "",
                    state_colour,
                ),
            )
        )
    )
    return Block(tuple(rows), pad=2.4, after=2.5, rule=RULE)


def _tools(step: PlanStep, plan: ActionPlan, width: float) -> Block:
    """A step's tools, once above its actions: each name a link to its source, with the
    source's number in the list at the end ("[3]")."""
    rows = []
    for index, tool in enumerate(step.tools):
        url = plan.sources[tool.source - 1].url if tool.source else ""
        text = f"{tool.text} [{tool.source}]" if tool.source else tool.text
        rows.append(
            Row(
                (
                    Cell(plan.labels.tools if index == 0 else "", 0, 24, SMALL, "B", MUTED),
                    Cell(text, 24, width - 24, BODY, "U" if url else "", link=url),
                ),
                after=0.6,
            )
        )
    return Block(tuple(rows), after=2.5)


_URL_PART = re.compile(r"[^/?&=#._-]*[/?&=#._-]*")


def url_lines(pdf: DocumentPDF, url: str, width: float, size: float) -> list[str]:
    """An address in lines of at most `width` mm, broken only after a separator (/ ? & = # .
    _ -), never inside a word or a number; a part longer than a line stands alone."""
    pdf.set_font(FAMILY, "", size)
    lines: list[str] = []
    for part in (p for p in _URL_PART.findall(url) if p):
        if lines and pdf.get_string_width(lines[-1] + part) <= width:
            lines[-1] += part
        else:
            lines.append(part)
    return lines


def _sources(pdf: DocumentPDF, sources: Sequence[Link], width: float) -> list[Block]:
    """The numbered list of sources: "3." and the tool's name, its address under it."""
    blocks = []
    for number, source in enumerate(sources, start=1):
        rows = [
            Row(
                (
                    Cell(f"{number}.", 0, 7.5, SMALL, "B", align="R"),
                    Cell(source.text, 10, width - 10, SMALL, "B"),
                )
            )
        ]
        for line in url_lines(pdf, source.url, width - 10, SMALL):
            rows.append(Row((Cell(line, 10, width - 10, SMALL, colour=MUTED, link=source.url),)))
        blocks.append(Block(tuple(rows), after=1.6))
    return blocks


def plan_pdf(plan: ActionPlan) -> bytes:
    """The plan as PDF bytes: opening, chart, readiness table, actions by step, then what
    makes the step ready, the "not sure" questions, the change since last time and the
    numbered sources of the tools."""
    pdf = DocumentPDF(plan.title, plan.cluster, plan.lang, plan.footer, plan.labels.page)
    width = pdf.epw
    labels = plan.labels
    for block in _opening(plan, width):
        pdf.keep([block])
    # the section's heading names the chart, so the picture goes without its own title
    pdf.keep([_heading(labels.readiness, width)])
    chart = _trimmed(readiness_png(replace(plan.chart, title="", subtitle="")))
    pdf.image_centred(chart, CHART_WIDTH, plan.chart.title)

    header = _table_header(labels.step, labels.readiness_column, width)
    rows = [_table_row(step, labels.held_back, width) for step in plan.rows]
    pdf.keep([header, *rows[:1]])
    for row in rows[1:]:
        pdf.keep([row], repeat=[header])

    with_actions = [step for step in plan.rows if step.actions]
    if with_actions:
        first = True
        for step in with_actions:
            heading = _step_heading(step, width)
            actions = [_action(action, plan, width) for action in step.actions]
            opening = [_heading(labels.actions, width)] if first else []
            tools = [_tools(step, plan, width)] if step.tools else []
            pdf.keep([*opening, heading, *tools, actions[0]])
            for action in actions[1:]:
                pdf.keep([action], repeat=[replace(heading, before=0)])
            first = False
    else:
        pdf.keep([_heading(labels.actions, width), _paragraph(labels.no_actions, width)])

    if plan.ready_when:
        pdf.keep([_heading(labels.ready_when, width), _paragraph(plan.ready_when, width)])
    if plan.unsure:
        bullets = _bullets(plan.unsure, width)
        pdf.keep([_heading(labels.unsure, width), bullets[0]])
        for bullet in bullets[1:]:
            pdf.keep([bullet])
    if plan.change:
        pdf.keep([_heading(labels.change, width), _paragraph(plan.change, width)])
    if plan.sources:
        sources = _sources(pdf, plan.sources, width)
        pdf.keep([_heading(labels.sources, width), sources[0]])
        for source in sources[1:]:
            pdf.keep([source])
    return bytes(pdf.output())


# the workshop report, in the plan's blocks


def _listed(pdf: DocumentPDF, headings: Sequence[Block], texts: Sequence[str], none: str) -> None:
    """Headings with their bullets, kept with the first; `none` when there are none."""
    width = pdf.epw
    blocks = _bullets(texts, width) if texts else [_paragraph(none, width)]
    pdf.keep([*headings, blocks[0]])
    for block in blocks[1:]:
        pdf.keep([block])


def _subheading(text: str, width: float) -> Block:
    return Block((Row((Cell(text, 0, width, SUBHEADING, "B"),)),), before=4, after=2)


def report_pdf(report: WorkshopReport) -> bytes:
    """The workshop report as PDF bytes: title, date and count, where the room is (chart),
    challenges by step with the frequent themes, the support wanted and from whom, and the
    room's step with its tools and next actions."""
    labels = report.labels
    pdf = DocumentPDF(report.title, "", report.lang, report.footer, labels.page)
    width = pdf.epw
    opening = Block(
        (
            Row((Cell(report.title, 0, width, TITLE, "B"),), after=1),
            Row((Cell(report.meta, 0, width, BODY, colour=MUTED),)),
        ),
        after=6,
    )
    position = Block(
        (Row((Cell(report.position, 5, width - 8, 11.5, "B"),)),),
        pad=2.2,
        after=5,
        band=BAND,
        mark=ACCENT,
    )
    pdf.keep([opening])
    pdf.keep([position])
    pdf.keep([_heading(labels.steps, width)])
    chart = _trimmed(count_png(replace(report.chart, title="")))
    pdf.image_centred(chart, CHART_WIDTH + 25, report.chart.title)

    opening_blocks = [_heading(labels.challenges, width)]
    if report.themes:
        themes = f"{labels.themes}: " + ", ".join(report.themes)
        opening_blocks.append(_paragraph(themes, width))
    if not report.challenges:
        _listed(pdf, opening_blocks, (), labels.none)
    for group in report.challenges:
        _listed(pdf, [*opening_blocks, _subheading(group.heading, width)], group.items, "")
        opening_blocks = []  # the section's heading went with the first group

    support = [_heading(labels.support, width), _subheading(labels.kinds, width)]
    _listed(pdf, support, report.kinds, labels.none)
    _listed(pdf, [_subheading(labels.sources, width)], report.sources, labels.none)
    _listed(pdf, [_subheading(labels.from_whom, width)], report.from_whom, labels.none)

    if report.step_title:
        pdf.keep([_heading(f"{labels.next_step}: {report.step_title}", width)])
        tools = [
            Block(
                (
                    Row((Cell("•", 1, 4), Cell(tool.name, 5, width - 5, style="B")), after=0.6),
                    Row((Cell(tool.description, 5, width - 5),)),
                    *(
                        (Row((Cell(tool.url, 5, width - 5, SMALL, "U", MUTED, tool.url),)),)
                        if tool.url
                        else ()
                    ),
                ),
                after=2.2,
            )
            for tool in report.tools
        ]
        pdf.keep([_subheading(labels.tools, width), *tools[:1]])
        for block in tools[1:]:
            pdf.keep([block])
        _listed(pdf, [_subheading(labels.actions, width)], report.actions, labels.none)
    return bytes(pdf.output())

"""Drawing and writing what the flows describe: charts, QR codes, CSV files, the action plan as
PDF or Markdown, calendar events as iCalendar files. Every channel renders attachments here, off
the event loop and bounded (`drawn`: `render` is CPU work, and a room finishing at once must not
fill the process with drawing threads that take the interpreter from the next question)."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor

from bot.render.charts import count_png, readiness_png
from bot.render.qr import qr_png
from bot.render.tables import csv_bytes
from flows.messages import (
    Attachment,
    CalendarEvent,
    CountChart,
    DataCopy,
    PlanDocument,
    QrCode,
    ReadinessChart,
    ReportDocument,
    Table,
)

# two drawing threads: Pillow and the PNG encoder release the interpreter part of the time, so
# a second one helps on two cores; more would only queue for it beside the event loop
DRAWERS = 2
_POOL = ThreadPoolExecutor(max_workers=DRAWERS, thread_name_prefix="draw")


async def drawn(attachment: Attachment) -> bytes:
    """`render` in the drawing pool, the caller's context (language) carried over; waits its
    turn behind at most `DRAWERS` attachments being drawn."""
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(_POOL, context.run, render, attachment)


def render(attachment: Attachment) -> bytes:
    """The file's bytes: a PNG for pictures, a CSV file for tables, a PDF or Markdown file
    for the action plan, JSON or Markdown for a copy of the user's data, an iCalendar file for
    a calendar event."""
    content = attachment.content
    if isinstance(content, ReadinessChart):
        return readiness_png(content)
    if isinstance(content, CountChart):
        return count_png(content)
    if isinstance(content, QrCode):
        return qr_png(content.text)
    if isinstance(content, Table):
        return csv_bytes(content)
    if isinstance(content, PlanDocument):  # imported when first asked for: fpdf2 takes 0.3 s
        if content.kind == "pdf":
            from bot.render.plan_pdf import plan_pdf

            return plan_pdf(content.plan)
        from bot.render.plan_markdown import plan_markdown

        return plan_markdown(content.plan)
    if isinstance(content, ReportDocument):  # the same renderers as the action plan
        if content.kind == "pdf":
            from bot.render.plan_pdf import report_pdf

            return report_pdf(content.report)
        from bot.render.plan_markdown import report_markdown

        return report_markdown(content.report)
    if isinstance(content, DataCopy):
        from bot.render.data_copy import data_json, data_markdown

        return data_json(content) if content.kind == "json" else data_markdown(content)
    if isinstance(content, CalendarEvent):  # imported when first asked for: 60 ms
        from bot.render.ics import ics_bytes

        return ics_bytes(content)
    raise TypeError(f"cannot render {type(content).__name__}")

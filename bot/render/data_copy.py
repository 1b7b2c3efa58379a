"""A copy of a user's data (`/mydata`) as JSON for programs and as Markdown to read.

The JSON's shape is documented in docs/MYDATA.md: `format`, `version`, `user_id`, `made`,
`language`, then `data`: kind → table → rows, each row its stored columns (times as ISO 8601 in
UTC). The Markdown has a heading per kind with why it is kept, a sub-heading per table, and each
row as a list of "label: value"; typed text is escaped as in the action plan's Markdown.
"""

from __future__ import annotations

import json
from typing import Any

from bot.render.plan_markdown import inline, paragraph
from flows.messages import DataCopy, DataField, DataTable

FORMAT = "cluster-journey/mydata"
VERSION = 1


def data_json(copy: DataCopy) -> bytes:
    data: dict[str, dict[str, list[dict[str, Any]]]] = {
        section.category: {
            table.name: [
                {field.name: field.value for field in record if field.in_json}
                for record in table.records
            ]
            for table in section.tables
        }
        for section in copy.sections
    }
    document = {
        "format": FORMAT,
        "version": VERSION,
        "user_id": copy.user_id,
        "made": copy.made,
        "language": copy.lang,
        "data": data,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _field(field: DataField) -> list[str]:
    out = [f"- **{inline(field.label)}:** {inline(field.text)}".rstrip()]
    out += [f"  - {inline(item)}" for item in field.items]
    return out


def _table(table: DataTable, nothing: str) -> list[str]:
    out = [f"### {inline(table.title)}", ""]
    if not table.records:
        return [*out, f"*{inline(nothing)}*", ""]
    for number, record in enumerate(table.records, start=1):
        if len(table.records) > 1:
            out += [f"#### {number}.", ""]
        for field in record:
            if field.text or field.items:
                out += _field(field)
        out.append("")
    return out


def data_markdown(copy: DataCopy) -> bytes:
    lines = [f"# {inline(copy.title)}", "", f"*{inline(copy.made_text)}*", ""]
    lines += [paragraph(copy.intro), ""]
    for section in copy.sections:
        lines += [f"## {inline(section.title)}", ""]
        lines += [paragraph(" ".join(section.about)), ""] if section.about else []
        for table in section.tables:
            lines += _table(table, copy.nothing)
    if copy.footer:
        lines += ["---", "", f"*{inline(copy.footer)}*", ""]
    return "\n".join(lines).encode("utf-8")

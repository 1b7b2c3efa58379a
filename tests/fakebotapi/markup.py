"""Telegram's HTML formatting, parsed as tdlib parses it: text and entities, or the error.

The bot sends HTML only (`parse_mode=HTML` in `bot/telegram/app.py`), so HTML is the one
parse mode this fake models; a call with Markdown or MarkdownV2 is reported as a violation
(see README.md to add a parser when the bot needs one).
"""

from __future__ import annotations

import html
import re
from typing import Any

PARSE_MODE = "HTML"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, Telegram's unit for entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


class MarkupError(ValueError):
    """Text that Telegram's entity parser rejects ("can't parse entities: ...")."""


_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link",
    "code": "code", "pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}  # fmt: skip
_HTML_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot);")
_HTML_ATTR = re.compile(r"""([^\s=]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"']+)""")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def parse_html(src: str) -> tuple[str, list[dict]]:
    """Telegram HTML -> (plain text, entities); raises MarkupError like the real parser."""
    out: list[str] = []
    utf16 = 0
    stack: list[tuple[str, dict[str, str], int, int]] = []
    entities: list[dict] = []
    i = 0
    while i < len(src):
        char = src[i]
        if char == "&" and (entity := _HTML_ENTITY.match(src, i)):
            piece = html.unescape(entity.group(0))
            out.append(piece)
            utf16 += utf16_len(piece)
            i = entity.end()
            continue
        if char != "<":
            out.append(char)
            utf16 += utf16_len(char)
            i += 1
            continue
        offset = _byte_offset(src, i)
        if src.startswith("</", i):
            end = src.find(">", i)
            if end < 0:
                raise MarkupError(f"Unclosed end tag at byte offset {offset}")
            name = src[i + 2 : end].strip().lower()
            if not stack:
                raise MarkupError(f"Unexpected end tag at byte offset {offset}")
            tag, attrs, start, _ = stack.pop()
            if name and name != tag:
                raise MarkupError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{tag}>", '
                    f'found "</{name}>"'
                )
            if utf16 > start and (made := _html_entity(tag, attrs, start, utf16, stack)):
                entities.append(made)
            i = end + 1
            continue
        name_match = re.compile(r"[^\s>]*").match(src, i + 1)
        assert name_match is not None
        name = name_match.group(0).lower()
        end = _tag_end(src, name_match.end())
        if name_match.end() == len(src):
            raise MarkupError(f"Unclosed start tag at byte offset {offset}")
        if name not in _HTML_TAGS:
            raise MarkupError(f'Unsupported start tag "{name}" at byte offset {offset}')
        if end < 0:
            raise MarkupError(f"Unclosed start tag at byte offset {offset}")
        found = _HTML_ATTR.findall(src[name_match.end() : end])
        attrs = {k.lower(): v.strip("\"'") for k, v in found}
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise MarkupError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        if name == "tg-emoji" and "emoji-id" not in attrs:
            raise MarkupError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
            )
        stack.append((name, attrs, utf16, offset))
        i = end + 1
    if stack:
        raise MarkupError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _tag_end(src: str, i: int) -> int:
    """Index of the '>' closing a start tag (quotes respected), or -1."""
    quote = ""
    for j in range(i, len(src)):
        if quote:
            quote = "" if src[j] == quote else quote
        elif src[j] in "\"'":
            quote = src[j]
        elif src[j] == ">":
            return j
    return -1


def _html_entity(tag: str, attrs: dict[str, str], start: int, end: int, stack: list) -> dict | None:
    kind = _HTML_TAGS[tag]
    entity: dict[str, Any] = {"type": kind, "offset": start, "length": end - start}
    if kind == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][1]["language"] = language.removeprefix("language-")
        return None
    if kind == "pre" and attrs.get("language"):
        entity["language"] = attrs["language"]
    if kind == "text_link":
        if not attrs.get("href"):
            return None
        entity["url"] = attrs["href"]
    if kind == "custom_emoji":
        entity["custom_emoji_id"] = attrs["emoji-id"]
    if kind == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    if kind == "date_time":
        return None
    return entity

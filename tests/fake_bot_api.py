"""A local fake of the Telegram Bot API for end-to-end tests of a python-telegram-bot bot.

Start a :class:`FakeBotApi` in the test's event loop and pass ``api.base_url`` as PTB's
``base_url``. Every call is validated against the Bot API spec in
``tests/telegram-bot-api/api.json``; spec violations land in ``api.violations`` and are
answered with a Telegram-style 400. Simulated users push updates that the bot receives through
``getUpdates`` long polling; what the bot sends is recorded per chat (see :meth:`FakeBotApi.sent`).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import html
import inspect
import itertools
import json
import math
import re
import socket
import struct
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from telegram import Bot
from telegram.ext import ApplicationBuilder
from telegram.request import HTTPXRequest

SPEC_PATH = Path(__file__).resolve().parent / "telegram-bot-api" / "api.json"  # vendored copy

BOT_ID = 42
BOT_USERNAME = "cluster_journey_test_bot"
DEFAULT_TOKEN = f"{BOT_ID}:AAFakeTokenForLocalTests_0123456789abc"

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a content and reply markup of the current message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: POLL_CONFLICT,
    500: "Internal Server Error",
    502: "Bad Gateway",
}
# Update types delivered when allowed_updates was never set (or set to []).
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
_PARSE_MODES = {"html": "HTML", "markdownv2": "MarkdownV2", "markdown": "Markdown"}
_MEDIA_PARAMS = ("photo", "document", "video", "audio", "voice", "animation", "sticker",
                 "video_note")  # fmt: skip


# --------------------------------------------------------------------------------------------
# Spec


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _mixed_array(types: list[str]) -> bool:
    return len(types) > 1 and all(t.startswith("Array of ") for t in types)


def _type_name(value: Any) -> str:
    return {bool: "Boolean", int: "Integer", float: "Float", str: "String", list: "Array",
            dict: "object"}.get(type(value), type(value).__name__)  # fmt: skip


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    part: str
    filename: str | None
    content: bytes
    content_type: str | None


class ApiSpec:
    """The Bot API spec (api.json): methods, types and the limits hidden in descriptions."""

    _CONST_RE = re.compile(r"(?:must be|always) [\"“]?([a-z_]+)")
    _LIMIT_RE = re.compile(r"(\d+)-(\d+) (characters|bytes)", re.IGNORECASE)

    def __init__(self, path: Path = SPEC_PATH) -> None:
        data = json.loads(path.read_text("utf-8"))
        self.version: str = data["version"]
        self.methods: dict[str, dict] = data["methods"]
        self.types: dict[str, dict] = data["types"]
        self._by_lower = {name.lower(): name for name in self.methods}
        # subtype name -> (discriminator field, constant), e.g. BotCommandScopeChat: (type, chat)
        self.consts: dict[str, tuple[str, str]] = {}
        for abstract in self.types.values():
            for sub in abstract.get("subtypes", []):
                for field in self.types.get(sub, {}).get("fields", []):
                    match = self._CONST_RE.search(field["description"])
                    if field["name"] in ("type", "source", "status") and match:
                        self.consts[sub] = (field["name"], match.group(1))
                        break
        # (method or type, field) -> (min, max, "characters" | "bytes")
        self.limits: dict[tuple[str, str], tuple[int, int, str]] = {}
        for owner, spec in itertools.chain(self.methods.items(), self.types.items()):
            for field in spec.get("fields", []):
                found = self._LIMIT_RE.search(field["description"])
                if found and "String" in field["types"]:
                    lo, hi, unit = found.groups()
                    self.limits[owner, field["name"]] = (int(lo), int(hi), unit.lower())

    def method(self, name: str) -> str | None:
        """The canonical name of a method (case-insensitive), or None."""
        return self._by_lower.get(name.lower())

    def canonical(self, name: str) -> str:
        """``sendMessage`` for "sendMessage", "sendmessage" or PTB's "send_message"."""
        found = self.method(name) or self.method(name.replace("_", ""))
        if found is None:
            raise ValueError(f"no Bot API method {name!r}")
        return found

    def fields(self, owner: str) -> dict[str, dict]:
        spec = self.methods.get(owner) or self.types.get(owner) or {}
        return {f["name"]: f for f in spec.get("fields", [])}

    # -- values inside JSON ------------------------------------------------------------------

    def check(self, value: Any, types: list[str], path: str) -> list[str]:
        """Errors of a decoded JSON value against a union of spec types ([] when it fits)."""
        if _mixed_array(types) and isinstance(value, list):
            # "Array of A, B and C" is scraped as a union of arrays; items may mix the types
            inner = [t.removeprefix("Array of ") for t in types]
            return [e for i, v in enumerate(value) for e in self.check(v, inner, f"{path}[{i}]")]
        best: list[str] | None = None
        for alternative in types:
            errors = self._check_one(value, alternative, path)
            if not errors:
                return []
            if best is None or len(errors) < len(best):
                best = errors
        return best or [f"{path}: no type to check against"]

    def _check_one(self, value: Any, tname: str, path: str) -> list[str]:
        if tname.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path}: expected {tname}, got {_type_name(value)}"]
            inner = tname.removeprefix("Array of ")
            return [
                e for i, item in enumerate(value) for e in self.check(item, [inner], f"{path}[{i}]")
            ]
        simple = {
            "Integer": isinstance(value, int) and not isinstance(value, bool),
            "Float": isinstance(value, int | float) and not isinstance(value, bool),
            "Boolean": isinstance(value, bool),
            "String": isinstance(value, str),
            "InputFile": isinstance(value, str),
        }
        if tname in simple:
            ok = simple[tname]
            return [] if ok else [f"{path}: expected {tname}, got {_type_name(value)}"]
        spec = self.types.get(tname)
        if spec is None:
            return []
        if "subtypes" in spec:
            return self._check_abstract(value, tname, spec["subtypes"], path)
        if not isinstance(value, dict):
            return [f"{path}: expected {tname} object, got {_type_name(value)}"]
        return self._check_object(value, tname, path)

    def _check_abstract(self, value: Any, tname: str, subtypes: list[str], path: str) -> list[str]:
        tagged = [s for s in subtypes if s in self.consts]
        if tagged and isinstance(value, dict):
            key = self.consts[tagged[0]][0]
            for sub in tagged:
                if value.get(key) == self.consts[sub][1]:
                    return self._check_object(value, sub, path)
            allowed = ", ".join(self.consts[s][1] for s in tagged)
            return [f"{path}: {tname}.{key} {value.get(key)!r} is not one of: {allowed}"]
        return self.check(value, subtypes, path)

    def _check_object(self, value: dict, tname: str, path: str) -> list[str]:
        fields = self.fields(tname)
        if not fields:
            return []
        errors = [f"{path}: unknown field '{k}' in {tname}" for k in value if k not in fields]
        for name, field in fields.items():
            where = f"{path}.{name}"
            if name not in value:
                if field["required"]:
                    errors.append(f"{where}: missing required field of {tname}")
                continue
            errors += self.check(value[name], field["types"], where)
            errors += self.limit_errors(tname, name, value[name], where)
            const = self.consts.get(tname)
            if const and const[0] == name and value[name] != const[1]:
                errors.append(f"{where}: must be {const[1]!r}")
        errors += self._type_rules(value, tname, path)
        return errors

    def _type_rules(self, value: dict, tname: str, path: str) -> list[str]:
        """Rules the spec states in prose only."""
        if tname == "InlineKeyboardButton":
            # "Exactly one of the fields other than text, icon_custom_emoji_id, and style"
            actions = [k for k in value if k not in ("text", "icon_custom_emoji_id", "style")]
            if len(actions) != 1:
                return [
                    f"{path}: an inline keyboard button needs exactly one action field "
                    f"(callback_data, url, ...); got {actions or 'none'}"
                ]
        if tname == "BotCommand":
            command = value.get("command")
            if isinstance(command, str) and not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                return [
                    f"{path}.command: {command!r} may contain only lowercase English letters, "
                    "digits and underscores (BOT_COMMAND_INVALID)"
                ]
        return []

    def limit_errors(
        self, owner: str, field: str, value: Any, path: str, length: int | None = None
    ) -> list[str]:
        """Errors of a string against a documented "N-M characters/bytes" limit."""
        limit = self.limits.get((owner, field))
        if limit is None or not isinstance(value, str):
            return []
        lo, hi, unit = limit
        if length is None:
            length = len(value.encode()) if unit == "bytes" else len(value)
        if lo <= length <= hi:
            return []
        return [f"{path}: {length} {unit}, allowed {lo}-{hi}"]

    # -- request parameters ------------------------------------------------------------------

    def decode(
        self, raw: str | UploadedFile, types: list[str], path: str, files: dict[str, Any]
    ) -> tuple[list[str], Any]:
        """Decode and check one form field against a union of types: (errors, value)."""
        if isinstance(raw, UploadedFile):
            if "InputFile" in types:
                return [], raw
            return [f"{path}: a file was uploaded, expected {' or '.join(types)}"], raw
        if _mixed_array(types):
            types = ["|".join(types)]  # one JSON parse, then items may mix the array types
        best: list[str] | None = None
        for tname in types:
            errors, value = self._decode_one(raw, tname, path, files)
            if not errors:
                return [], value
            if best is None or len(errors) < len(best):
                best = errors
        return best or [f"{path}: invalid value"], raw

    def _decode_one(
        self, raw: str, tname: str, path: str, files: dict[str, Any]
    ) -> tuple[list[str], Any]:
        if tname == "String":
            return [], raw
        if tname == "Integer":
            if re.fullmatch(r"-?\d+", raw.strip()):
                return [], int(raw)
            return [f"{path}: expected Integer, got {raw[:40]!r}"], raw
        if tname == "Float":
            try:
                number = float(raw)
            except ValueError:
                return [f"{path}: expected Float, got {raw[:40]!r}"], raw
            return ([], number) if math.isfinite(number) else ([f"{path}: not finite"], raw)
        if tname == "Boolean":
            flags = {"true": True, "1": True, "false": False, "0": False}
            if raw.lower() in flags:
                return [], flags[raw.lower()]
            return [f"{path}: expected Boolean, got {raw[:40]!r}"], raw
        if tname == "InputFile":
            name = raw.removeprefix("attach://")
            if raw.startswith("attach://") and isinstance(files.get(name), UploadedFile):
                return [], files[name]
            return [f"{path}: expected an uploaded file, got {raw[:40]!r}"], raw
        try:
            value = json.loads(raw)
        except ValueError:
            return [f"{path}: can't parse JSON for {tname}: {raw[:60]!r}"], raw
        return self.check(value, tname.split("|"), path), value

    def validate_call(
        self, method: str, raw: dict[str, str | UploadedFile]
    ) -> tuple[list[str], dict[str, Any]]:
        """Check a call's parameters; returns (errors, decoded parameters)."""
        fields = self.fields(method)
        attached = {name for v in raw.values() if isinstance(v, str) for name in _attach_refs(v)}
        errors: list[str] = []
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in fields:
                if not (isinstance(value, UploadedFile) and key in attached):
                    errors.append(f"unknown parameter '{key}'")
                params[key] = value
                continue
            errs, params[key] = self.decode(value, fields[key]["types"], key, raw)
            errors += errs
            if not errs and isinstance(value, str):
                errors += [
                    f"{key}: attach://{ref} refers to no uploaded file part"
                    for ref in _attach_refs(value)
                    if not isinstance(raw.get(ref), UploadedFile)
                ]
        errors += [
            f"missing required parameter '{name}'"
            for name, field in fields.items()
            if field["required"] and name not in raw
        ]
        return errors, params

    # -- results -------------------------------------------------------------------------------

    def build(self, tname: str, depth: int = 0) -> Any:
        """A minimal spec-valid value of a type (required fields only)."""
        if tname.startswith("Array of "):
            return []
        basic = {"Integer": 0, "Float": 0.0, "Boolean": False, "String": "", "InputFile": ""}
        if tname in basic:
            return basic[tname]
        spec = self.types.get(tname, {})
        if "subtypes" in spec:
            objects = [s for s in spec["subtypes"] if s in self.types]
            return self.build(objects[0], depth + 1) if objects else ""
        obj: dict[str, Any] = {}
        for field in spec.get("fields", []):
            if field["required"] and depth < 6:
                obj[field["name"]] = self.build(field["types"][0], depth + 1)
        if tname in self.consts:
            key, const = self.consts[tname]
            obj[key] = const
        return obj


def _attach_refs(raw: str) -> list[str]:
    """Part names referenced as ``attach://<name>`` by a form value (whole value or JSON string)."""
    if raw.startswith("attach://"):
        return [raw.removeprefix("attach://")]
    return re.findall(r'"attach://([^"]+)"', raw)


@functools.lru_cache(maxsize=2)
def load_spec(path: Path = SPEC_PATH) -> ApiSpec:
    """The parsed spec, loaded once per process."""
    return ApiSpec(path)


# --------------------------------------------------------------------------------------------
# Formatting (parse_mode) checks, after tdlib's parsers


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
            utf16 += _utf16_len(piece)
            i = entity.end()
            continue
        if char != "<":
            out.append(char)
            utf16 += _utf16_len(char)
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


_MD2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MD2_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}  # fmt: skip


def parse_markdown_v2(src: str) -> tuple[str, list[dict]]:
    """MarkdownV2 -> (plain text, entities); raises MarkupError like tdlib's parser."""
    out: list[str] = []
    utf16 = 0
    stack: list[dict[str, Any]] = []
    entities: list[dict] = []
    i, n = 0, len(src)

    def emit(piece: str) -> None:
        nonlocal utf16
        out.append(piece)
        utf16 += _utf16_len(piece)

    while i < n:
        char = src[i]
        if char == "\\" and i + 1 < n and 0 < ord(src[i + 1]) <= 126:
            emit(src[i + 1])
            i += 2
            continue
        top = stack[-1]["type"] if stack else None
        if top in ("code", "pre"):
            closing = "```" if top == "pre" else "`"
            if src.startswith(closing, i):
                _md2_close(stack, entities, utf16)
                i += len(closing)
            else:
                emit(char)
                i += 1
            continue
        at_line_start = i == 0 or src[i - 1] == "\n"
        if at_line_start and (src.startswith(">", i) or src.startswith("**>", i)):
            i += 1 if char == ">" else 3  # blockquote line; its entity is not reproduced
            continue
        if src.startswith("||", i) and (i + 2 == n or src[i + 2] == "\n") and top != "spoiler":
            i += 2  # end of an expandable blockquote
            continue
        if char not in _MD2_RESERVED:
            emit(char)
            i += 1
            continue
        ends = {
            "bold": char == "*",
            "italic": char == "_" and not src.startswith("__", i),
            "underline": src.startswith("__", i),
            "strikethrough": char == "~",
            "spoiler": src.startswith("||", i),
            "text_link": char == "]",
            "custom_emoji": char == "]",
        }
        if top and ends.get(top):
            i += 2 if top in ("underline", "spoiler") else 1
            if top in ("text_link", "custom_emoji"):
                i = _md2_link_target(src, i, stack[-1])
            _md2_close(stack, entities, utf16)
            continue
        offset = _byte_offset(src, i)
        opener: tuple[str, int] | None = {
            "*": ("bold", 1), "~": ("strikethrough", 1), "[": ("text_link", 1),
        }.get(char)  # fmt: skip
        if char == "_":
            opener = ("underline", 2) if src.startswith("__", i) else ("italic", 1)
        elif char == "|" and src.startswith("||", i):
            opener = ("spoiler", 2)
        elif char == "!" and src.startswith("![", i):
            opener = ("custom_emoji", 2)
        elif char == "`":
            opener = ("pre", 3) if src.startswith("```", i) else ("code", 1)
        if opener is None:
            raise MarkupError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        entry: dict[str, Any] = {"type": opener[0], "start": utf16, "offset": offset}
        i += opener[1]
        if opener[0] == "pre":
            newline = src.find("\n", i)
            language = src[i:newline] if newline >= 0 else ""
            if language and re.fullmatch(r"[\w+\-#.]+", language):
                entry["language"] = language
                i = newline + 1
        stack.append(entry)
    if stack:
        name = _MD2_NAMES[stack[-1]["type"]]
        raise MarkupError(f"Can't find end of {name} entity at byte offset {stack[-1]['offset']}")
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _md2_link_target(src: str, i: int, entry: dict[str, Any]) -> int:
    if not src.startswith("(", i):
        if entry["type"] == "custom_emoji":
            raise MarkupError(f"Custom emoji entity must contain a tg://emoji URL at byte offset "
                              f"{entry['offset']}")  # fmt: skip
        return i
    url: list[str] = []
    j = i + 1
    while j < len(src) and src[j] != ")":
        if src[j] == "\\" and j + 1 < len(src):
            j += 1
        url.append(src[j])
        j += 1
    if j >= len(src):
        raise MarkupError(f"Can't find end of a URL at byte offset {_byte_offset(src, i)}")
    entry["url"] = "".join(url)
    return j + 1


def _md2_close(stack: list[dict[str, Any]], entities: list[dict], utf16: int) -> None:
    entry = stack.pop()
    if utf16 <= entry["start"]:
        return
    entity = {"type": entry["type"], "offset": entry["start"], "length": utf16 - entry["start"]}
    if "language" in entry:
        entity["language"] = entry["language"]
    if entry["type"] == "text_link":
        if not entry.get("url"):
            return
        entity["url"] = entry["url"]
    if entry["type"] == "custom_emoji":
        entity["custom_emoji_id"] = entry.get("url", "").rpartition("id=")[2]
    entities.append(entity)


def parse_markdown(src: str) -> tuple[str, list[dict]]:
    """Legacy Markdown -> (plain text, entities); raises MarkupError like tdlib's parser."""
    out: list[str] = []
    entities: list[dict] = []
    kinds = {"*": "bold", "_": "italic", "`": "code", "[": "text_link"}
    i, n = 0, len(src)
    while i < n:
        char = src[i]
        if char == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            out.append(src[i + 1])
            i += 2
            continue
        if char not in kinds:
            out.append(char)
            i += 1
            continue
        begin = _byte_offset(src, i)
        kind = "pre" if src.startswith("```", i) else kinds[char]
        closing = {"text_link": "]", "pre": "```"}.get(kind, char)
        i += 3 if kind == "pre" else 1
        end = src.find(closing, i)
        if end < 0:
            raise MarkupError(f"Can't find end of the entity starting at byte offset {begin}")
        inner = src[i:end]
        start = _utf16_len("".join(out))
        out.append(inner)
        entity: dict[str, Any] = {"type": kind, "offset": start, "length": _utf16_len(inner)}
        i = end + len(closing)
        if kind == "text_link":
            url = ""
            if src.startswith("(", i) and (close := src.find(")", i)) >= 0:
                url, i = src[i + 1 : close], close + 1
            if not url:
                continue
            entity["url"] = url
        if entity["length"]:
            entities.append(entity)
    return "".join(out), entities


_PARSERS: dict[str, Callable[[str], tuple[str, list[dict]]]] = {
    "HTML": parse_html,
    "MarkdownV2": parse_markdown_v2,
    "Markdown": parse_markdown,
}


# --------------------------------------------------------------------------------------------
# Server


class ApiError(Exception):
    """A Telegram error answer raised inside a method handler."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class _Bucket:
    """A token bucket: `rate` tokens per second, at most `burst` saved."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, time.monotonic()

    def wait_time(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, JPEG, GIF or WebP image; None when it isn't one."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return (512, 512)
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]
        return (800, 600)
    return None


class FakeBotApi:
    """A fake Telegram Bot API server validating every call against the spec.

    Use ``async with FakeBotApi() as api:`` (or ``await api.start()`` / ``await api.stop()``)
    and build the bot with ``base_url=api.base_url`` and ``token=api.token``.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_id: int = BOT_ID,
        bot_username: str = BOT_USERNAME,
        bot_name: str = "Cluster Journey (test)",
        check_markup: bool = True,
        spec_path: Path = SPEC_PATH,
    ) -> None:
        self.spec = load_spec(spec_path)
        self.token = token or DEFAULT_TOKEN.replace(str(BOT_ID), str(bot_id), 1)
        self._require_token = token is not None
        self.check_markup = check_markup
        self.bot_user: dict[str, Any] = {
            "id": bot_id, "is_bot": True, "first_name": bot_name, "username": bot_username,
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False,
            "has_main_web_app": False,
        }  # fmt: skip
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.call_times: list[float] = []  # time.time() of each call in `calls`
        self.violations: list[str] = []
        self.errors: list[tuple[str, int, str]] = []
        self.internal_errors: list[str] = []
        self.updates: list[dict] = []
        self.files: dict[str, UploadedFile | None] = {}
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.rejected_429 = 0
        self.webhook_url = ""
        self._chats: dict[int, dict[str, Any]] = {}
        self._history: dict[int, list[dict[str, Any]]] = {}
        self._last_message_id: dict[int, int] = {}
        self._queries: dict[str, dict[str, Any]] = {}
        self._queue: list[dict[str, Any]] = []  # {"update": ..., "delivered": bool}
        self._next_update_id = 1000
        self._allowed_updates: list[str] | None = None
        self._wakeup = asyncio.Event()
        self._poll_generation = 0
        self._faults: dict[str, deque[tuple[int, str, dict | None]]] = {}
        self._blocked: set[int] = set()
        self._chat_buckets: dict[Any, _Bucket] = {}
        self._flood: tuple[float | None, float, float | None, float] | None = None
        self._global_bucket: _Bucket | None = None
        self._last_activity = time.monotonic()
        self._counter = itertools.count(1)
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> FakeBotApi:
        """Serve on 127.0.0.1 on a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self._closing = False
        return self

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        self._closing = True
        self._wake()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """PTB's ``base_url``: ``http://127.0.0.1:<port>/bot``."""
        if not self._port:
            raise RuntimeError("FakeBotApi is not started")
        return f"http://127.0.0.1:{self._port}/bot"

    # -- PTB helpers -------------------------------------------------------------------------

    def ptb_request(self, **kwargs: Any) -> HTTPXRequest:
        """A ``telegram.request.HTTPXRequest`` for this plain-HTTP server; it skips loading CA
        certificates, which saves ~0.1 s per client."""
        return HTTPXRequest(httpx_kwargs={"verify": False}, **kwargs)

    def make_bot(self) -> Bot:
        """A ``telegram.Bot`` talking to this server (use ``async with``)."""
        return Bot(self.token, base_url=self.base_url, request=self.ptb_request(),
                   get_updates_request=self.ptb_request())  # fmt: skip

    def application_builder(self) -> ApplicationBuilder:
        """A ``telegram.ext.ApplicationBuilder`` preset with token, base_url and requests."""
        builder = ApplicationBuilder().token(self.token).base_url(self.base_url)
        return builder.request(self.ptb_request()).get_updates_request(self.ptb_request())

    # -- recorded state ------------------------------------------------------------------------

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """The parameters of every call of one method, in order."""
        method = self.spec.canonical(method)
        return [params for name, params in self.calls if name == method]

    def history(self, chat_id: int) -> list[dict[str, Any]]:
        """All messages currently in a chat (the bot's and the users'), oldest first."""
        return list(self._history.get(chat_id, []))

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages currently in a chat (edits applied, deleted ones gone)."""
        return [r for r in self._history.get(chat_id, []) if r["from_bot"]]

    def texts(self, chat_id: int) -> list[str]:
        """Text or caption of each of the bot's messages in a chat."""
        return [r.get("text") or r.get("caption") or "" for r in self.sent(chat_id)]

    def last_message(self, chat_id: int) -> dict[str, Any] | None:
        """The bot's latest message in a chat, or None."""
        sent = self.sent(chat_id)
        return sent[-1] if sent else None

    def buttons(self, chat_id: int, message_id: int | None = None) -> list[tuple[str, str | None]]:
        """(text, callback_data) of the inline buttons of the latest bot message with a keyboard
        (or of message ``message_id``)."""
        for record in reversed(self.sent(chat_id)):
            if message_id is not None and record["message_id"] != message_id:
                continue
            rows = (record.get("reply_markup") or {}).get("inline_keyboard")
            if rows:
                return [(b.get("text", ""), b.get("callback_data")) for row in rows for b in row]
        return []

    def unanswered_callbacks(self) -> list[str]:
        """Ids of callback queries the bot has not answered."""
        return [qid for qid, q in self._queries.items() if not q["answered"]]

    @property
    def pending_updates(self) -> list[dict]:
        """Updates the bot has not confirmed yet."""
        return [entry["update"] for entry in self._queue]

    # -- simulation ----------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Anna",
        language_code: str | None = "sv",
        *,
        last_name: str | None = None,
        username: str | None = None,
    ) -> FakeUser:
        """A simulated user; their private chat has ``chat_id == user_id``."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = FakeUser(self, user_id, first_name, language_code, last_name, username)
        chat = {"id": user_id, "type": "private", "first_name": first_name}
        chat.update({k: v for k, v in (("last_name", last_name), ("username", username)) if v})
        self._chats[user_id] = chat
        return user

    def group(self, chat_id: int = -1001234567890, title: str = "Test group") -> FakeGroup:
        """A simulated supergroup (negative chat id)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        self._chats[chat_id] = {"id": chat_id, "type": "supergroup", "title": title}
        return FakeGroup(self, chat_id)

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (an ``update_id`` is assigned when missing; duplicates allowed)."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self.updates.append(update)
        self._adopt(update)
        self._queue.append({"update": update, "delivered": False})
        self._wake()
        return update

    def hand_over(self, update_id: int) -> None:
        """The test delivered this update itself, to the bot's webhook (as Telegram does in
        webhook mode): it is no longer pending."""
        self._queue = [e for e in self._queue if e["update"].get("update_id") != update_id]

    def _adopt(self, update: dict[str, Any]) -> None:
        """Make messages of raw updates known, so the bot can reply to or edit them."""
        message = update.get("message") or update.get("edited_message")
        if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
            return
        chat_id, message_id = message["chat"].get("id"), message.get("message_id")
        if not isinstance(chat_id, int) or not isinstance(message_id, int):
            return
        self._chats.setdefault(chat_id, message["chat"])
        if self._find(chat_id, message_id) is None:
            record = {"method": "user", "from_bot": False, "chat_id": chat_id,
                      "message_id": message_id, "date": message.get("date", 0),
                      "text": message.get("text"), "message": copy.deepcopy(message)}  # fmt: skip
            self._history.setdefault(chat_id, []).append(record)
            last = self._last_message_id.get(chat_id, 0)
            self._last_message_id[chat_id] = max(last, message_id)

    def _push_built(self, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, **payload}
        for problem in self.spec.check(update, ["Update"], "update"):
            self.internal_errors.append(f"built update: {problem}")
        return self.push_update(update)

    def _user_message(
        self,
        chat_id: int,
        user: FakeUser,
        text: str,
        entities: list[dict] | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        record: dict[str, Any] = {
            "method": "user", "from_bot": False, "from_user": user.id, "chat_id": chat_id,
            "message_id": self._new_message_id(chat_id), "date": int(time.time()),
            "text": text, "plain_text": text, "entities": entities or [],
        }  # fmt: skip
        if reply_to is not None:
            record["reply_to"] = self._find(chat_id, reply_to)
        self._store(record, user=user)
        return self._push_built({"message": copy.deepcopy(record["message"])})

    def _press(
        self, chat_id: int, user: FakeUser, data: str, message_id: int | None
    ) -> dict[str, Any]:
        for record in reversed(self.sent(chat_id)):
            if message_id is not None and record["message_id"] != message_id:
                continue
            rows = (record.get("reply_markup") or {}).get("inline_keyboard") or []
            if any(b.get("callback_data") == data for row in rows for b in row):
                break
        else:
            where = f"message {message_id}" if message_id is not None else "any bot message"
            raise AssertionError(
                f"no button with callback_data {data!r} on {where} in chat {chat_id}; "
                f"latest buttons: {self.buttons(chat_id)}"
            )
        query_id = str(4_000_000_000 + next(self._counter))
        self._queries[query_id] = {
            "answered": False, "chat_id": chat_id, "message_id": record["message_id"],
            "data": data, "user_id": user.id,
        }  # fmt: skip
        query = {
            "id": query_id, "from": user.json(), "message": copy.deepcopy(record["message"]),
            "chat_instance": str(abs(hash((chat_id, BOT_ID))) % 10**18), "data": data,
        }  # fmt: skip
        return self._push_built({"callback_query": query})

    # -- fault injection -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        retry_after: int = 3,
        count: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with an error (429: flood wait)."""
        parameters = None
        if error_code == 429:
            description = description or f"Too Many Requests: retry after {retry_after}"
            parameters = {"retry_after": retry_after}
        description = description or _DEFAULT_DESCRIPTIONS.get(error_code, "Injected failure")
        queue = self._faults.setdefault(self.spec.canonical(method), deque())
        queue.extend([(error_code, description, parameters)] * count)

    def block_user(self, chat_id: int) -> None:
        """Sends to this chat get 403 (the user blocked the bot / the bot was kicked)."""
        self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        """Undo :meth:`block_user`."""
        self._blocked.discard(chat_id)

    def flood_limits(
        self,
        per_chat_per_sec: float | None = 1.0,
        global_per_sec: float | None = 30.0,
        *,
        per_chat_burst: float = 1,
        global_burst: float | None = None,
    ) -> None:
        """Token-bucket flood control for sends/edits (None disables a limit); a call over the
        limit gets 429 with retry_after and counts in ``rejected_429``."""
        self._chat_buckets.clear()
        self._flood = (per_chat_per_sec, per_chat_burst, global_per_sec,
                       global_burst or global_per_sec or 1)  # fmt: skip
        self._global_bucket = _Bucket(global_per_sec, self._flood[3]) if global_per_sec else None

    # -- waiting -------------------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5,
        interval: float = 0.01,
        message: str | None = None,
    ) -> Any:
        """Poll until ``predicate()`` (sync or async) is truthy and return its value.

        Exceptions from the predicate (e.g. IndexError before a message exists) count as "not
        yet"; on timeout an AssertionError reports the predicate, the last exception and calls.
        """
        deadline = time.monotonic() + timeout
        failure: Exception | None = None
        while True:
            try:
                result = predicate()
                if inspect.isawaitable(result):
                    result = await result
            except Exception as exc:
                result, failure = None, exc
            if result:
                return result
            if time.monotonic() >= deadline:
                report = self._timeout_report(predicate, timeout, message)
                if failure is not None:
                    report += f"\n  last exception from the predicate: {failure!r}"
                raise AssertionError(report)
            await asyncio.sleep(interval)

    async def settle(self, quiet: float = 0.1, timeout: float = 5) -> None:
        """Wait until every update is confirmed and no call but getUpdates came for ``quiet`` s."""

        def idle() -> bool:
            return not self._queue and time.monotonic() - self._last_activity >= quiet

        await self.wait_for(idle, timeout, message="bot to consume all updates and go quiet")

    def _timeout_report(self, predicate: Callable, timeout: float, message: str | None) -> str:
        what = message
        if what is None:
            try:
                what = inspect.getsource(predicate).strip()
            except (OSError, TypeError):
                what = repr(predicate)
        recent = [c for c in self.calls if c[0] != "getUpdates"][-5:]
        return (
            f"condition not met within {timeout}s: {what}\n"
            f"  pending updates: {len(self._queue)}; last calls: {recent}\n"
            f"  violations: {self.violations}; errors: {self.errors[-3:]}"
        )

    # -- HTTP ----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            return await self._dispatch(request)
        except Exception as exc:  # a bug of the fake: make it loud, not a silent 500
            name = request.match_info.get("method", "?")
            self.internal_errors.append(f"{name}: {exc!r}\n{traceback.format_exc()}")
            return self._answer(name, 500, f"Internal Server Error: fake server crashed: {exc!r}")

    async def _dispatch(self, request: web.Request) -> web.Response:
        try:
            raw = await self._read_params(request)
        except ValueError as exc:
            return self._answer(request.match_info["method"], 400, f"Bad Request: {exc}")
        if self._require_token and request.match_info["token"] != self.token:
            return self._answer(request.match_info["method"], 401, "Unauthorized")
        method = self.spec.method(request.match_info["method"])
        if method is None:
            name = request.match_info["method"]
            self.calls.append((name, dict(raw)))
            self.call_times.append(time.time())
            self.violations.append(f"{name}: no such method in {self.spec.version}")
            return self._answer(name, 404, "Not Found")
        errors, params = self.spec.validate_call(method, raw)
        self.calls.append((method, params))
        self.call_times.append(time.time())
        if method != "getUpdates":
            self._last_activity = time.monotonic()
        if not errors:
            errors = self._method_rules(method, params)
        if errors:
            self.violations += [f"{method}: {e}" for e in errors]
            return self._answer(method, 400, "Bad Request: " + "; ".join(errors))
        try:
            self._gate(method, params)
            handler = getattr(self, f"_m_{method}", None)
            if handler is not None:
                result = handler(params)
                if inspect.isawaitable(result):
                    result = await result
            else:
                result = self._generic(method, params)
        except ApiError as err:
            return self._answer(method, err.code, err.description, err.parameters)
        if method != "getUpdates":  # updates are checked when built (raw ones are the test's)
            returns = self.spec.methods[method]["returns"]
            for problem in self.spec.check(result, returns, f"{method} result"):
                self.internal_errors.append(problem)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    async def _read_params(self, request: web.Request) -> dict[str, str | UploadedFile]:
        params: dict[str, str | UploadedFile] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            for key, value in (body or {}).items():
                params[key] = value if isinstance(value, str) else json.dumps(value)
        elif request.method == "POST":
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = UploadedFile(
                        key, value.filename, value.file.read(), value.content_type
                    )
                else:
                    params[key] = str(value)
        return params

    def _answer(
        self, method: str, code: int, description: str, parameters: dict | None = None
    ) -> web.Response:
        self.errors.append((method, code, description))
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code, dumps=_dumps)

    def _method_rules(self, method: str, params: dict[str, Any]) -> list[str]:
        """Documented rules beyond types: limits, parse modes, chat actions, entity parsing."""
        errors: list[str] = []
        parse_mode = params.get("parse_mode")
        if isinstance(parse_mode, str) and parse_mode:
            if parse_mode.lower() not in _PARSE_MODES:
                errors.append(f"parse_mode: unsupported parse_mode {parse_mode!r}")
                parse_mode = None
            else:
                parse_mode = _PARSE_MODES[parse_mode.lower()]
        for key, value in params.items():
            length = None
            if key in ("text", "caption") and isinstance(value, str):
                plain = value
                if parse_mode and self.check_markup:
                    try:
                        plain = _PARSERS[parse_mode](value)[0]
                    except MarkupError as exc:
                        errors.append(f"{key}: can't parse entities: {exc}")
                length = len(plain)
                is_message_text = key == "text" and method in ("sendMessage", "editMessageText")
                if is_message_text and not plain.strip():
                    errors.append("text: message text is empty")
                    continue
            errors += self.spec.limit_errors(method, key, value, key, length)
        if method == "sendChatAction" and params.get("action") not in _CHAT_ACTIONS:
            errors.append(f"action: wrong parameter action {params.get('action')!r}")
        if method.startswith("editMessage") and "inline_message_id" not in params:
            missing = [k for k in ("chat_id", "message_id") if k not in params]
            if missing:
                errors.append(f"{' and '.join(missing)} required without inline_message_id")
        if method == "sendMediaGroup":
            kinds = {item.get("type") for item in params["media"]}
            if not 2 <= len(params["media"]) <= 10:
                errors.append(f"media: must include 2-10 items, got {len(params['media'])}")
            if kinds & {"audio", "document"} and len(kinds) > 1:
                errors.append(f"media: audio and documents can't be mixed with others: {kinds}")
        if method == "editMessageText" and "text" not in params and "rich_message" not in params:
            errors.append("text is required unless rich_message is given")
        return errors

    def _gate(self, method: str, params: dict[str, Any]) -> None:
        """Injected faults, blocked chats and flood limits."""
        faults = self._faults.get(method)
        if faults:
            raise ApiError(*faults.popleft())
        chat_id = params.get("chat_id")
        sends = method.startswith(("send", "copyMessage", "forwardMessage"))
        if sends and chat_id in self._blocked:
            if isinstance(chat_id, int) and chat_id < 0:
                raise ApiError(403, "Forbidden: bot was kicked from the supergroup chat")
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        limited = sends or method.startswith("editMessage")
        if self._flood and limited and method != "sendChatAction":
            self._flood_check(chat_id)

    def _flood_check(self, chat_id: Any) -> None:
        assert self._flood is not None
        per_chat, burst = self._flood[0], self._flood[1]
        buckets: list[_Bucket] = []
        if per_chat and isinstance(chat_id, int | str):
            buckets.append(self._chat_buckets.setdefault(chat_id, _Bucket(per_chat, burst)))
        if self._global_bucket:
            buckets.append(self._global_bucket)
        wait = max((b.wait_time() for b in buckets), default=0.0)
        if wait > 0:
            self.rejected_429 += 1
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        for bucket in buckets:
            bucket.take()

    def _wake(self) -> None:
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    # -- chats and messages --------------------------------------------------------------------

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        if isinstance(chat_id, str):
            for chat in self._chats.values():
                if chat.get("username", "").lower() == chat_id.lstrip("@").lower():
                    return chat
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id not in self._chats:
            self._chats[chat_id] = (
                {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
                if chat_id > 0
                else {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}
            )
        return self._chats[chat_id]

    def _new_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _find(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        for record in self._history.get(chat_id, []):
            if record["message_id"] == message_id:
                return record
        return None

    def _store(self, record: dict[str, Any], user: FakeUser | None = None) -> dict[str, Any]:
        self._history.setdefault(record["chat_id"], []).append(record)
        record["message"] = self._render(record, user)
        return record

    def _render(self, record: dict[str, Any], user: FakeUser | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": record["message_id"],
            "from": user.json() if user else self._bot_from(),
            "date": record["date"],
            "chat": self._chats[record["chat_id"]],
        }
        if record.get("edit_date"):
            message["edit_date"] = record["edit_date"]
        replied = record.get("reply_to")
        if replied:
            inner = dict(replied["message"])
            inner.pop("reply_to_message", None)
            message["reply_to_message"] = inner
        if record.get("text") is not None:
            message["text"] = record["plain_text"]
            if record.get("entities"):
                message["entities"] = record["entities"]
        message.update(record.get("media_json", {}))
        if record.get("caption") is not None:
            message["caption"] = record["plain_caption"]
            if record.get("caption_entities"):
                message["caption_entities"] = record["caption_entities"]
        markup = record.get("reply_markup")
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return copy.deepcopy(message)

    def _bot_from(self) -> dict[str, Any]:
        return {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}

    def _formatted(self, params: dict[str, Any], key: str) -> tuple[str, list[dict]]:
        text = params[key]
        parse_mode = _PARSE_MODES.get(str(params.get("parse_mode", "")).lower())
        entities_key = "entities" if key == "text" else "caption_entities"
        if params.get(entities_key):
            return text, params[entities_key]
        if parse_mode and self.check_markup:
            return _PARSERS[parse_mode](text)
        return text, []

    def _new_bot_message(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params["chat_id"])["id"]
        record: dict[str, Any] = {
            "method": method, "from_bot": True, "chat_id": chat_id, "date": int(time.time()),
            "params": params, "reply_markup": params.get("reply_markup"), "edit_count": 0,
        }  # fmt: skip
        reply = params.get("reply_parameters")
        if reply:
            reply_chat = self._chat(reply.get("chat_id", chat_id))["id"]
            target = self._find(reply_chat, reply["message_id"])
            if target is None and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
            record["reply_to"] = target
        if "text" in params and method == "sendMessage":
            record["text"] = params["text"]
            record["plain_text"], record["entities"] = self._formatted(params, "text")
            record["parse_mode"] = params.get("parse_mode")
        if "caption" in params:
            record["caption"] = params["caption"]
            record["plain_caption"], record["caption_entities"] = self._formatted(params, "caption")
            record["parse_mode"] = params.get("parse_mode")
        return record

    def _send(self, method: str, params: dict[str, Any], media: dict | None = None) -> dict:
        record = self._new_bot_message(method, params)
        if media:
            record.update(media)
        record["message_id"] = self._new_message_id(record["chat_id"])
        return self._store(record)["message"]

    def _file(self, value: Any, kind: str) -> tuple[str, UploadedFile | None]:
        """Resolve an InputFile/String parameter to (file_id, upload or None)."""
        if isinstance(value, UploadedFile):
            if not value.content:
                raise ApiError(400, "Bad Request: file must be non-empty")
            file_id = f"{kind}-{next(self._counter):06d}-fake"
            self.files[file_id] = value
            return file_id, value
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            file_id = f"{kind}-{next(self._counter):06d}-url"
            self.files[file_id] = None
            return file_id, None
        if value in self.files:
            return value, self.files[value]
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    # -- method handlers -----------------------------------------------------------------------

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(self.bot_user)

    def _m_logOut(self, params: dict[str, Any]) -> bool:
        return True

    def _m_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")  # fmt: skip
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older long poll ends with 409, like on Telegram
        if "allowed_updates" in params:
            self._allowed_updates = params["allowed_updates"] or None
        offset = params.get("offset")
        if offset is not None and offset < 0:
            self._queue = self._queue[offset:]
        elif offset is not None:
            self._queue = [
                e for e in self._queue
                if not (e["delivered"] and e["update"]["update_id"] < offset)
            ]  # fmt: skip
        limit = min(max(params.get("limit", 100), 1), 100)
        deadline = time.monotonic() + max(params.get("timeout", 0), 0)
        while True:
            event = self._wakeup
            if generation != self._poll_generation:
                raise ApiError(409, POLL_CONFLICT)
            self._queue = [e for e in self._queue if self._allowed(e["update"])]
            batch = self._queue[:limit]
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self._closing:
                for entry in batch:
                    entry["delivered"] = True
                return [copy.deepcopy(e["update"]) for e in batch]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = next((k for k in update if k != "update_id"), "")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _NOT_DEFAULT_UPDATES

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = params["url"]
        if params.get("drop_pending_updates"):
            self._queue.clear()
        if "allowed_updates" in params:
            self._allowed_updates = params["allowed_updates"] or None
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url, "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }  # fmt: skip
        if self._allowed_updates:
            info["allowed_updates"] = self._allowed_updates
        return info

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code", "")

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands[self._scope_key(params)] = params["commands"]
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict]:
        return self.commands.get(self._scope_key(params), [])

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def my_commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        """Commands stored by setMyCommands for a scope (default scope) and language."""
        params = {"scope": scope, "language_code": language_code}
        return self.commands.get(self._scope_key(params), [])

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send("sendMessage", params)

    def _m_sendPhoto(self, params: dict[str, Any], method: str = "sendPhoto") -> dict[str, Any]:
        file_id, upload = self._file(params["photo"], "photo")
        width, height = 800, 600
        if upload is not None:
            size = _image_size(upload.content)
            if size is None:
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            width, height = size
        scale = min(1.0, 90 / max(width, height, 1))
        sizes = [
            {"file_id": f"{file_id}-s", "file_unique_id": f"{file_id}-su",
             "width": max(1, round(width * scale)), "height": max(1, round(height * scale))},
            {"file_id": file_id, "file_unique_id": f"{file_id}-u", "width": width,
             "height": height},
        ]  # fmt: skip
        if upload is not None:
            sizes[-1]["file_size"] = len(upload.content)
        media = {
            "photo": upload.content if upload else params["photo"], "file_id": file_id,
            "filename": upload.filename if upload else None, "media_json": {"photo": sizes},
        }  # fmt: skip
        return self._send(method, params, media)

    def _m_sendDocument(
        self, params: dict[str, Any], method: str = "sendDocument"
    ) -> dict[str, Any]:
        file_id, upload = self._file(params["document"], "document")
        document: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"{file_id}-u"}
        if upload is not None:
            document["file_size"] = len(upload.content)
            if upload.filename:
                document["file_name"] = upload.filename
            if upload.content_type:
                document["mime_type"] = upload.content_type
        media = {
            "document": upload.content if upload else params["document"], "file_id": file_id,
            "filename": upload.filename if upload else None,
            "mime_type": upload.content_type if upload else None,
            "media_json": {"document": document},
        }  # fmt: skip
        return self._send(method, params, media)

    def _m_sendMediaGroup(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        group_id = str(10**17 + next(self._counter))
        messages = []
        for item in params["media"]:
            media = item["media"]
            if media.startswith("attach://"):
                media = params[media.removeprefix("attach://")]
            sub = {"chat_id": params["chat_id"], item["type"]: media}
            sub.update({k: item[k] for k in ("caption", "parse_mode") if k in item})
            if item["type"] == "photo":
                message = self._m_sendPhoto(sub, "sendMediaGroup")
            elif item["type"] == "document":
                message = self._m_sendDocument(sub, "sendMediaGroup")
            else:
                message = self._generic("sendMediaGroup", sub)
            record = self._find(message["chat"]["id"], message["message_id"])
            assert record is not None
            record["media_json"]["media_group_id"] = group_id
            record["message"] = self._render(record)
            messages.append(record["message"])
        return messages

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params["chat_id"])["id"]
        record = self._find(chat_id, params["message_id"])
        if record is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not record["from_bot"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return record

    def _apply_edit(
        self, record: dict[str, Any], method: str, changes: dict[str, Any], **raw: Any
    ) -> dict:
        """Apply an edit unless it changes nothing visible (``raw``: as-sent text, not compared)."""
        if all(record.get(k) == v for k, v in changes.items()):
            raise ApiError(400, NOT_MODIFIED)
        record.update(changes, **raw)
        record["edit_count"] += 1
        record["edit_date"] = int(time.time())
        record.setdefault("edits", []).append(method)
        record["message"] = self._render(record)
        return record["message"]

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if "inline_message_id" in params:
            return True
        record = self._editable(params)
        if record.get("text") is None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        plain, entities = self._formatted(params, "text")
        changes = {"plain_text": plain, "entities": entities,
                   "reply_markup": params.get("reply_markup")}  # fmt: skip
        return self._apply_edit(
            record, "editMessageText", changes, text=params["text"],
            parse_mode=params.get("parse_mode"),
        )  # fmt: skip

    def _m_editMessageCaption(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if "inline_message_id" in params:
            return True
        record = self._editable(params)
        if "media_json" not in record:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        plain, entities = self._formatted(params, "caption") if "caption" in params else (None, [])
        changes = {"plain_caption": plain, "caption_entities": entities,
                   "reply_markup": params.get("reply_markup")}  # fmt: skip
        return self._apply_edit(
            record, "editMessageCaption", changes, caption=params.get("caption"),
            parse_mode=params.get("parse_mode"),
        )  # fmt: skip

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if "inline_message_id" in params:
            return True
        record = self._editable(params)
        return self._apply_edit(
            record, "editMessageReplyMarkup", {"reply_markup": params.get("reply_markup")}
        )

    def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat(params["chat_id"])["id"]
        record = self._find(chat_id, params["message_id"])
        if record is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        self._history[chat_id].remove(record)
        record["deleted"] = True
        return True

    def _m_deleteMessages(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat(params["chat_id"])["id"]
        for message_id in params["message_ids"]:
            record = self._find(chat_id, message_id)
            if record is not None:
                self._history[chat_id].remove(record)
                record["deleted"] = True
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query = self._queries.get(params["callback_query_id"])
        if query is None or query["answered"]:
            raise ApiError(400, QUERY_INVALID)
        query["answered"] = True
        self.callback_answers[params["callback_query_id"]] = params
        return True

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params["chat_id"])
        return True

    def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params["file_id"]
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        upload = self.files[file_id]
        result: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"{file_id}-u",
                                  "file_path": f"files/{file_id}"}  # fmt: skip
        if upload is not None:
            result["file_size"] = len(upload.content)
        return result

    def _m_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        info = self.spec.build("ChatFullInfo")
        info.update(self._chat(params["chat_id"]), max_reaction_count=11)
        return info

    def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        self._chat(params["chat_id"])
        user_id = params["user_id"]
        user = (
            self.bot_user
            if user_id == self.bot_user["id"]
            else {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        )
        known = self._chats.get(user_id)
        if known and known["type"] == "private":
            user = {"id": user_id, "is_bot": False, "first_name": known["first_name"]}
        return {"status": "member", "user": user}

    def _generic(self, method: str, params: dict[str, Any]) -> Any:
        """Any other valid method: a new message for sends, True or a minimal valid object."""
        returns = self.spec.methods[method]["returns"]
        single = returns[0] == "Message" or method == "sendMediaGroup"
        if single and "chat_id" in params and "inline_message_id" not in params:
            if method.startswith("edit"):
                record = self._editable(params)
                record.setdefault("edits", []).append(method)
                return record["message"]
            media: dict[str, Any] = {"media_json": {}}
            message_fields = self.spec.fields("Message")
            for key in (*_MEDIA_PARAMS, "location", "contact", "venue", "dice", "poll"):
                if key in message_fields and (key in params or method.lower() == f"send{key}"):
                    obj = self.spec.build(message_fields[key]["types"][0])
                    for field, value in params.items():
                        if field in obj and not isinstance(value, dict | list | UploadedFile):
                            obj[field] = value
                    if "file_id" in obj:
                        obj["file_id"] = f"{key}-{next(self._counter):06d}-fake"
                        obj["file_unique_id"] = obj["file_id"] + "-u"
                    media["media_json"][key] = obj
                    if isinstance(params.get(key), UploadedFile):
                        media[key] = params[key].content
                        media["filename"] = params[key].filename
            return self._send(method, params, media)
        if returns[0] == "MessageId":
            return {"message_id": self._new_message_id(self._chat(params["chat_id"])["id"])}
        if returns[0] == "Boolean":
            return True
        return self.spec.build(returns[0])


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


class FakeUser:
    """A simulated Telegram user talking to the bot in their private chat."""

    def __init__(
        self,
        api: FakeBotApi,
        user_id: int,
        first_name: str,
        language_code: str | None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> None:
        self.api = api
        self.id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.last_name = last_name
        self.username = username

    def json(self) -> dict[str, Any]:
        """The Telegram User object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user

    async def send_text(self, text: str, reply_to: int | None = None) -> dict[str, Any]:
        """Send a plain text message; returns the queued Update."""
        return self.api._user_message(self.chat_id, self, text, reply_to=reply_to)

    async def send_command(self, command: str, payload: str | None = None) -> dict[str, Any]:
        """Send ``/command [payload]`` with a bot_command entity at offset 0."""
        return await _command(self.api, self.chat_id, self, command, payload)

    async def press(self, callback_data: str, message_id: int | None = None) -> dict[str, Any]:
        """Press the inline button with ``callback_data`` on the latest bot message carrying it
        (or on ``message_id``); returns the queued callback_query Update."""
        return self.api._press(self.chat_id, self, callback_data, message_id)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this user's private chat."""
        return self.api.sent(self.chat_id)


class FakeGroup:
    """A simulated supergroup where users talk to the bot."""

    def __init__(self, api: FakeBotApi, chat_id: int) -> None:
        self.api = api
        self.chat_id = chat_id

    def _member(self, user: FakeUser | int) -> FakeUser:
        if isinstance(user, FakeUser):
            return user
        known = self.api._chats.get(user, {})
        return FakeUser(self.api, user, known.get("first_name", f"User {user}"), None)

    async def send_text(self, user: FakeUser | int, text: str) -> dict[str, Any]:
        """A group message from ``user``; returns the queued Update."""
        return self.api._user_message(self.chat_id, self._member(user), text)

    async def send_command(
        self, user: FakeUser | int, command: str, payload: str | None = None, mention: bool = False
    ) -> dict[str, Any]:
        """``/command[@bot] [payload]`` from ``user`` in the group."""
        if mention:
            command = f"{command}@{self.api.bot_user['username']}"
        return await _command(self.api, self.chat_id, self._member(user), command, payload)

    async def press(
        self, user: FakeUser | int, callback_data: str, message_id: int | None = None
    ) -> dict[str, Any]:
        """``user`` presses an inline button on a bot message in the group."""
        return self.api._press(self.chat_id, self._member(user), callback_data, message_id)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this group."""
        return self.api.sent(self.chat_id)


async def _command(
    api: FakeBotApi, chat_id: int, user: FakeUser, command: str, payload: str | None
) -> dict[str, Any]:
    if not command.startswith("/"):
        command = "/" + command
    text = command if payload is None else f"{command} {payload}"
    entity = {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
    return api._user_message(chat_id, user, text, [entity])

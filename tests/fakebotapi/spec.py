"""The Bot API spec (`telegram-bot-api/api.json`, vendored) and the checks built on it.

`ApiSpec` knows every method and type of the Bot API version in the file, the limits written in
the descriptions ("1-4096 characters") and the discriminators of abstract types; it decodes a
call's form fields and reports what Telegram would reject. The server (`server.py`) calls
`validate_call` for every request and `check` for every answer and update it builds.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fakebotapi.markup import PARSE_MODE, MarkupError, parse_html

SPEC_PATH = Path(__file__).resolve().parent / "telegram-bot-api" / "api.json"  # vendored copy


_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
# Valid on Telegram, not parsed here: a call with one is a violation until a parser is added.
_UNMODELLED_PARSE_MODES = frozenset({"markdown", "markdownv2"})


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

    def method_rules(
        self, method: str, params: dict[str, Any], *, check_markup: bool = True
    ) -> list[str]:
        """Documented rules beyond types (checked once the types fit): limits, parse modes, chat
        actions, entity parsing (skipped when not `check_markup`)."""
        errors: list[str] = []
        parse_mode = params.get("parse_mode")
        if isinstance(parse_mode, str) and parse_mode:
            if parse_mode.lower() in _UNMODELLED_PARSE_MODES:
                errors.append(
                    f"parse_mode: {parse_mode!r} is not modelled by this fake, the bot sends "
                    f"{PARSE_MODE} only (tests/fakebotapi/README.md)"
                )
                parse_mode = None
            elif parse_mode.lower() != PARSE_MODE.lower():
                errors.append(f"parse_mode: unsupported parse_mode {parse_mode!r}")
                parse_mode = None
        for key, value in params.items():
            length = None
            if key in ("text", "caption") and isinstance(value, str):
                plain = value
                if parse_mode and check_markup:
                    try:
                        plain = parse_html(value)[0]
                    except MarkupError as exc:
                        errors.append(f"{key}: can't parse entities: {exc}")
                length = len(plain)
                is_message_text = key == "text" and method in ("sendMessage", "editMessageText")
                if is_message_text and not plain.strip():
                    errors.append("text: message text is empty")
                    continue
            errors += self.limit_errors(method, key, value, key, length)
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

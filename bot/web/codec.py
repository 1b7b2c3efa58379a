"""A reply's attachment as JSON and back, so the browser chat can keep it with the message that
carried it and draw it when the page asks (`bot.render`), on whichever replica serves the page.

The shapes are the flows' own dataclasses (`flows.messages.Drawing`); their type hints say how
to build them again. An attachment of a kind this version does not know reads as None."""

from __future__ import annotations

import dataclasses
import json
import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from flows.messages import Attachment, Drawing

KINDS: dict[str, type[Any]] = {kind.__name__: kind for kind in get_args(Drawing)}


def encode(attachment: Attachment) -> str:
    content = attachment.content
    return json.dumps(
        {
            "filename": attachment.filename,
            "kind": type(content).__name__,
            "content": _plain(content),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode(text: str | None) -> Attachment | None:
    if not text:
        return None
    try:
        data = json.loads(text)
        kind = KINDS.get(data["kind"])
        if kind is None:
            return None
        return Attachment(str(data["filename"]), _build(kind, data["content"]))
    except (ValueError, KeyError, TypeError):
        return None


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def _build(hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = get_type_hints(hint)
        return hint(**{name: _build(hints[name], item) for name, item in value.items()})
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], item) for item in value)
        return tuple(_build(arg, item) for arg, item in zip(args, value, strict=True))
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        options = [arg for arg in get_args(hint) if arg is not type(None)]
        return _build(options[0], value) if len(options) == 1 else value
    if origin is Literal:
        if value not in get_args(hint):
            raise ValueError(f"{value!r} is not one of {get_args(hint)}")
        return value
    return value

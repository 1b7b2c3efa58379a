"""Breaking a copy of the content on purpose (the `content_copy` fixture): edit one of its files,
then read the problems the content check reports with file, entry and line."""

from __future__ import annotations

from pathlib import Path

from flows.content_loader import check_content


def content_problems(directory: Path) -> list[str]:
    """The problems of a content tree that must not load, as the check writes them."""
    content, problems = check_content(directory)
    assert content is None
    return [str(p) for p in problems]


def edit_file(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace `old` (which must be there) by `new` in a file, `count` times."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")

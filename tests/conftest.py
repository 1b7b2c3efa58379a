"""Shared fixtures: the real content, loaded once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.content_loader import DEFAULT_DIR, load_content
from flows.content_model import Content


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the real content tree, to break in a test."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_DIR, target)
    return target

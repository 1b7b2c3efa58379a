"""The UI catalogues are complete, current and consistent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from flows.i18n import LOCALE_DIR, _, check_catalogs, use_language

ROOT = Path(__file__).resolve().parent.parent


def _ids(path: Path) -> set[str]:
    with open(path, "rb") as handle:
        return {str(m.id) for m in read_po(handle) if m.id}


def test_every_message_has_swedish_and_none_is_fuzzy():
    assert check_catalogs() == []


def test_template_matches_the_code(tmp_path):
    """Fails when a UI string was added or changed without re-extracting (see README)."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    committed = _ids(LOCALE_DIR / "messages.pot")
    assert _ids(fresh) == committed
    for lang in ("en", "sv"):
        assert _ids(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po") == committed


def test_language_is_chosen_per_context():
    with use_language("sv"):
        assert _("What would you like to do?") == "Vad vill du göra?"
        with use_language("en-GB"):
            assert _("What would you like to do?") == "What would you like to do?"
    with use_language("sv-SE"):
        assert _("Glossary") != "Glossary"

"""The UI catalogues are complete, current and consistent."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from flows import locales
from flows.content_loader import check_content
from flows.content_model import Text
from flows.i18n import LOCALE_DIR, _, check_catalogs, ngettext, normalise_language, use_language
from flows.locales import DEFAULT, ENGLISH, codes, format_number, language, languages, others
from flows.menu import language_reply

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


def test_plurals_in_both_languages():
    def erased(n: int) -> str:
        return ngettext(
            "{count} completed self-assessment", "{count} completed self-assessments", n
        ).format(count=n)

    with use_language("en"):
        assert [erased(n) for n in (0, 1, 2)] == [
            "0 completed self-assessments",
            "1 completed self-assessment",
            "2 completed self-assessments",
        ]
        assert ngettext("{count} reminder", "{count} reminders", 1) == "{count} reminder"
    with use_language("sv"):
        assert [erased(n) for n in (0, 1, 2)] == [
            "0 slutförda självskattningar",
            "1 slutförd självskattning",
            "2 slutförda självskattningar",
        ]
        assert ngettext("{count} reminder", "{count} reminders", 1) == "{count} påminnelse"
        assert ngettext("{count} reminder", "{count} reminders", 5) == "{count} påminnelser"


def test_numbers_dates_and_separators_come_from_the_registry():
    assert format_number(1000, "sv") == "1 000" and format_number(1000, "en") == "1,000"
    assert format_number(1.5, "sv") == "1,5" and format_number(-2.0, "en") == "-2"
    assert language("sv-SE").list_separator == ";" and language("en-US").list_separator == ","
    assert language("fi").code == DEFAULT.code == "en"
    assert [lang.brand for lang in languages()] == ["Klusterresan", "Cluster Journey"]


@pytest.fixture
def third_language(monkeypatch):
    """A made-up third language added to the registry, and nowhere else."""
    pirate = replace(
        ENGLISH, code="xx", name="Pirate", native="Pirate", switch="In Pirate", tags=("xx",)
    )
    monkeypatch.setattr(locales, "LANGUAGES", (*locales.LANGUAGES, pirate))
    return pirate


def test_the_registry_is_the_only_list_of_languages(third_language):
    """One entry in the registry is all the code needs: the content check then asks every text
    for it, the catalogues for its file, and the language choice offers it."""
    _content, problems = check_content()
    missing = [str(p) for p in problems if "text 'xx' is missing" in str(p)]
    assert missing and len(missing) == len(problems)
    assert all("Pirate text 'xx' is missing" in p for p in missing)
    assert any("locales/xx" in p or "/xx/" in p for p in check_catalogs())
    assert [c.id for c in language_reply().choices] == ["lang:sv", "lang:en", "lang:xx"]
    assert normalise_language("xx-YY") == "xx" and language("xx") is third_language
    assert [o.code for o in others("sv")] == ["en", "xx"]
    assert Text(en="Ahoy", sv="Hej").get("xx") == "Ahoy"  # until the content has it


def _language_literals(path: Path) -> list[str]:
    """Where a module writes a language out: the code "sv", a comparison with a language code,
    or a list of two or more codes."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and node.value == "sv":
            found.append(f"{path}:{node.lineno}: 'sv'")
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(isinstance(o, ast.Constant) and o.value in codes() for o in operands):
                found.append(f"{path}:{node.lineno}: compares with a language code")
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            named = [e for e in node.elts if isinstance(e, ast.Constant) and e.value in codes()]
            if len(named) >= 2:
                found.append(f"{path}:{node.lineno}: a list of languages")
    return found


def test_no_language_is_written_out_outside_the_registry():
    registry = ROOT / "flows" / "locales.py"
    found = [
        hit
        for folder in ("flows", "bot")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != registry
        for hit in _language_literals(path)
    ]
    assert found == []

"""House rules: ruff clean and ruff-formatted, mypy strict on flows/ and bot/, flows/ free of
Telegram, adapters, drawing libraries and Telegram URLs, of a channel's numbers and names in
their code, and no import cycle anywhere."""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "flows")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_is_clean():
    result = run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_the_formatter():
    result = run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_strict_and_clean_on_flows_and_bot():
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "flows" in result.stdout or "Success" in result.stdout


def test_flows_know_nothing_of_telegram_adapters_or_drawing():
    paths = sorted((ROOT / "flows").rglob("*.py"))
    assert len(paths) > 20  # subpackages included
    banned = ("import telegram", "from telegram", "from bot", "import bot", "matplotlib",
              "qrcode", "import PIL", "from PIL", "t.me", "telegram.me")  # fmt: skip
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for word in banned:
            assert word not in text, f"{path.relative_to(ROOT)} uses {word!r}"


def _docstrings(tree: ast.AST) -> set[tuple[int, int]]:
    """Where each docstring starts (line, column)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                found.add((first.lineno, first.col_offset))
    return found


def _code_tokens(text: str) -> list[tokenize.TokenInfo]:
    """A module's tokens without its comments and docstrings: what it does, not what it says
    about itself (a docstring may name the channel the code is kept free of)."""
    docstrings = _docstrings(ast.parse(text))
    return [
        token
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type != tokenize.COMMENT
        and not (token.type == tokenize.STRING and token.start in docstrings)
    ]


def channel_knowledge(text: str) -> list[str]:
    """What a module's code knows of one channel: Telegram's numbers (a message's 4096, a
    button's 64), its way of counting (UTF-16) or its name."""
    found = []
    for token in _code_tokens(text):
        where = f"line {token.start[0]}: {token.string!r}"
        if token.type == tokenize.NUMBER and token.string.replace("_", "") in ("4096", "64"):
            found.append(where)
        lowered = token.string.lower().replace("_", "-")
        if token.type != tokenize.NUMBER and ("telegram" in lowered or "utf-16" in lowered):
            found.append(where)
    return found


def test_the_purity_check_finds_a_channel_in_code_not_in_docstrings():
    code = '''"""Sent to Telegram."""
LIMIT = 4096  # Telegram's
def f(label):
    """Cut as Telegram does."""
    return label[:64], _("Reminders come as Telegram messages"), len(label.encode("utf-16-le"))
'''
    found = channel_knowledge(code)
    assert [line.split(":")[0] for line in found] == ["line 2", "line 5", "line 5", "line 5"]
    assert channel_knowledge('"""Telegram\'s 4096."""\nLIMIT = 4000  # not 64\n') == []


def test_flows_code_knows_no_channel():
    """The flows ask the channel (`flows.channel.Channel`) how long a message or a label may be
    and how it is counted; Telegram's numbers and name live in `bot/telegram/`."""
    for path in sorted((ROOT / "flows").rglob("*.py")):
        found = channel_knowledge(path.read_text(encoding="utf-8"))
        assert not found, f"{path.relative_to(ROOT)} knows a channel: {found}"


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The project modules a module imports, at the top or inside functions alike."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        found |= {n for n in names if n in modules}
    return found


def test_no_import_cycles():
    paths = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    modules = {_module(p) for p in paths}
    graph = {_module(p): _imports(p, modules) - {_module(p)} for p in paths}
    # a package's __init__ importing its own modules is how Python packages work
    for name, deps in graph.items():
        graph[name] = {d for d in deps if not name.startswith(d + ".")}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for dep in sorted(graph.get(name, ())):
            if state.get(dep) == 1:
                cycle = [*path[path.index(dep) :], dep]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if dep not in state:
                visit(dep)
        path.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_no_test_module_imports_another():
    """What several test modules share lives in a driver module (`tests/helpers.py`,
    `tests/cli_driver.py`, `tests/telegram_harness.py` …) or a fixture, never in a test module:
    a test module stays free to change without breaking another."""
    offenders = []
    for path in sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                names = [module, *(f"{module}.{a.name}" for a in node.names)]
            if any(part.startswith("test_") for n in names for part in n.split(".")):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "test modules imported elsewhere: " + ", ".join(offenders)


# --- every sentence a user reads comes from flows/ ----------------------------------------------

GETTEXT = frozenset({"_", "N_", "gettext", "ngettext", "pgettext"})
# three words in a row, letters only: "Join the workshop", not "text/csv" or "ix_assessments"
_WORDS = re.compile(r"[^\W\d_]{2,}(?: [^\W\d_]+){2,}")
_SQL = re.compile(r"(?:SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP)\b")
_LOGGERS = frozenset({"log", "logger", "logging"})
_ARGPARSE = frozenset({"add_argument", "add_parser", "ArgumentParser"})
OPERATOR_CONSOLE = "bot/cli.py"  # the operator's command line: what it prints is for them


def _looks_like_a_sentence(text: str) -> bool:
    text = text.strip()
    if _SQL.match(text):
        return False
    return bool(_WORDS.search(text)) and (
        text[:1].isupper() or text[:1] == "/" or text.endswith((".", "!", "?", ":", "…"))
    )


def _callee(call: ast.Call) -> tuple[str, str]:
    """(object, name) of what is called: ("log", "info"), ("", "print")."""
    func = call.func
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        return owner, func.attr
    return "", func.id if isinstance(func, ast.Name) else ""


def _for_the_operator(call: ast.Call, module: str) -> bool:
    owner, name = _callee(call)
    if owner in _LOGGERS or name in _ARGPARSE:
        return True
    if name != "print":
        return False
    to_stderr = any(k.arg == "file" and ast.unparse(k.value) == "sys.stderr" for k in call.keywords)
    return to_stderr or module == OPERATOR_CONSOLE


def _user_sentences(source: str, module: str) -> list[str]:
    """The string literals of a module that read like a sentence to a user, outside what is
    written for the operator or the developer."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Raise):
            return  # an exception's message: for the log and the operator
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return  # a docstring
        if isinstance(node, ast.Call) and _for_the_operator(node, module):
            return
        if isinstance(node, ast.JoinedStr):  # an f-string: its words around the {…}
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            if _looks_like_a_sentence(str(text)):
                found.append(f"{module}:{node.lineno}: {text!r}")
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _looks_like_a_sentence(node.value):
                found.append(f"{module}:{node.lineno}: {node.value!r}")
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def test_bot_writes_no_sentence_a_user_reads():
    """Every sentence a user reads comes from flows/, in both languages: bot/'s Python code
    calls no gettext function (`_`, `N_`, `ngettext` …) and holds no string literal that reads
    like a sentence. A sentence, by this test's measure: three words of letters in a row, and
    it begins with a capital letter or a command's slash or ends like a sentence (. ! ? : …);
    so file names, MIME types, header names and SQL (its keyword first) pass. Written for the
    operator or the developer, and allowed: docstrings, log calls (`log.*`, `logger.*`,
    `logging.*`), `print(..., file=sys.stderr)`, exception messages (anything under `raise`),
    the command line's arguments (argparse) and what the operator's console (bot/cli.py)
    prints."""
    paths = sorted((ROOT / "bot").rglob("*.py"))
    assert len(paths) > 20
    problems = []
    for path in paths:
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and _callee(node)[1] in GETTEXT:
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: gettext call")
            if isinstance(node, ast.ImportFrom) and node.module == "flows.i18n":
                names = {a.name for a in node.names} & GETTEXT
                if names:
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports {names}")
        problems += _user_sentences(source, path.relative_to(ROOT).as_posix())
    assert not problems, "\n".join(problems)


def test_the_sentence_measure_tells_a_sentence_from_a_name():
    """The measure above: it must catch a user's sentence, and let names and codes pass."""
    assert _looks_like_a_sentence("That button is no longer active.")
    assert _looks_like_a_sentence("Open a private chat")
    assert _looks_like_a_sentence("/quit – end the chat (your answers are kept)")
    names = ("Cluster Journey", "text/csv; charset=utf-8", "ix_assessments_team_id",
             "released: not sent within the tick", "SELECT id FROM users WHERE x = 1")  # fmt: skip
    for name in names:
        assert not _looks_like_a_sentence(name), name
    source = (
        "def f(log, sys, name):\n"
        '    """Say it. Twice over."""\n'
        '    log.info("Web pages served on %s", name)\n'
        '    print("Cannot open the database.", file=sys.stderr)\n'
        '    print(f"Hello {name}, welcome to the bot!")\n'
        '    return "Try again now."\n'
    )
    assert _user_sentences(source, "bot/example.py") == [
        "bot/example.py:5: 'Hello {}, welcome to the bot!'",
        "bot/example.py:6: 'Try again now.'",
    ]
    assert _user_sentences(source, OPERATOR_CONSOLE) == [f"{OPERATOR_CONSOLE}:6: 'Try again now.'"]


_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
_HIDDEN = re.compile(r"<(script|style|template)\b[^>]*>.*?</\1>|<!--.*?-->", re.S)
_TAG = re.compile(r"<[^>]*>", re.S)
_SHOWN_ATTRIBUTE = re.compile(r'\b(?:alt|title|aria-label|placeholder)="([^"]*)"')


def test_page_templates_take_their_words_from_the_catalogues():
    """The pages' words come from flows/ (the views' `labels`), so they exist in both
    languages: a template holds no word of its own, in its text or in an attribute a reader
    sees (alt, title, aria-label, placeholder)."""
    templates = sorted((ROOT / "bot" / "web" / "templates").glob("*.html"))
    assert templates
    problems = []
    for path in templates:
        source = path.read_text(encoding="utf-8")
        for value in _SHOWN_ATTRIBUTE.findall(_JINJA.sub("", source)):
            if re.search(r"[^\W\d_]{2,}", value):
                problems.append(f"{path.name}: attribute {value!r}")
        text = _TAG.sub(" ", _HIDDEN.sub(" ", _JINJA.sub(" ", source)))
        text = re.sub(r"&#?\w+;", " ", text)
        problems += [f"{path.name}: {word!r}" for word in re.findall(r"[^\W\d_]{2,}", text)]
    assert not problems, "\n".join(problems)

"""House rules: ruff clean and ruff-formatted, mypy strict on flows/ and bot/, flows/ free of
Telegram, adapters, drawing libraries and Telegram URLs, of a channel's numbers and names in
their code, and no import cycle anywhere."""

from __future__ import annotations

import ast
import io
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

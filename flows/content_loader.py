"""Loading and validating the content tree (`content/*.yaml`) into the typed model.

Validation reads the whole tree and reports every problem at once, each naming the file, the
entry path and the YAML line, so that an editor can fix a draft in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from flows.content_model import (
    LANGS,
    Answer,
    Benefits,
    Content,
    Example,
    Funding,
    FundingSource,
    Option,
    Phase,
    Question,
    Step,
    Term,
    Text,
    Tool,
    Workshop,
    WorkshopQuestions,
)

MAX_TEXT = 3500  # one Telegram message (4096) with room for headings and buttons
STEP_COUNT = 10
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANG_NAMES = {"en": "English", "sv": "Swedish"}
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "content"


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        if self.line is not None:
            where += f" (line {self.line})"
        return f"{where}: {self.message}"


class ContentError(Exception):
    """Raised when the content tree has problems; carries every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- the schema -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TextSpec:
    max_len: int = MAX_TEXT


@dataclass(frozen=True)
class ScalarSpec:
    kind: type  # int, bool or str (an id)


@dataclass(frozen=True)
class ListSpec:
    item: Any
    min: int = 0
    max: int | None = None


@dataclass(frozen=True)
class Optional:
    spec: Any
    default: Any


TEXT = TextSpec()
ID = ScalarSpec(str)
INT = ScalarSpec(int)
BOOL = ScalarSpec(bool)

QUESTION = {"id": ID, "key": Optional(BOOL, False), "text": TEXT, "why": TEXT, "action": TEXT}
QUESTIONS = ListSpec(QUESTION, 4, 6)

SCHEMAS: dict[str, dict[str, Any]] = {
    "journey": {
        "threshold": INT,
        "title": TEXT,
        "about": TEXT,
        "start": TEXT,
        "goal": TEXT,
        "phases": ListSpec({"id": ID, "title": TEXT, "summary": TEXT}, 1),
        "answers": ListSpec({"id": ID, "score": INT, "label": TextSpec(40)}, 2),
    },
    "step": {
        "number": INT,
        "id": ID,
        "phase": ID,
        "title": TEXT,
        "short": TextSpec(20),
        "intro": TEXT,
        "overview": TEXT,
        "benefits": {
            "businesses": ListSpec(TEXT, 1),
            "cluster_organisation": ListSpec(TEXT, 1),
            "region": ListSpec(TEXT, 1),
        },
        "questions": QUESTIONS,
        "tools": ListSpec({"id": ID, "name": TEXT, "description": TEXT}, 3),
        "examples": ListSpec({"id": ID, "title": TEXT, "text": TEXT}, 2),
        "ready_when": TEXT,
    },
    "funding": {
        "title": TEXT,
        "intro": TEXT,
        "overview": TEXT,
        "questions": QUESTIONS,
        "sources": ListSpec(
            {"id": ID, "name": TEXT, "description": TEXT, "steps": ListSpec(INT, 1)}, 1
        ),
    },
    "glossary": {"terms": ListSpec({"id": ID, "term": TEXT, "definition": TEXT}, 20)},
    "workshop": {
        "title": TEXT,
        "intro": TEXT,
        "questions": {"step": TEXT, "challenges": TEXT, "support": TEXT, "support_from": TEXT},
        "support_kinds": ListSpec({"id": ID, "label": TextSpec(60)}, 1),
        "support_sources": ListSpec({"id": ID, "label": TextSpec(60)}, 1),
    },
}


# --- reading YAML with line numbers ---------------------------------------------------------


class _Reader:
    """Checks one file against its schema, collecting problems with line numbers."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.name = name
        self.problems = problems
        self.lines: dict[str, int] = {}

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.name, path, self.lines.get(path), message))

    def index_lines(self, node: yaml.Node, path: str = "") -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                sub = f"{path}.{key}" if path else key
                if key in seen:
                    self.lines[sub] = key_node.start_mark.line + 1
                    self.problem(sub, f"duplicate key '{key}'")
                seen.add(key)
                self.index_lines(value_node, sub)
                self.lines[sub] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.index_lines(item, f"{path}[{i}]")

    def check(self, value: Any, spec: Any, path: str) -> bool:
        """True when `value` fits `spec`; otherwise records why."""
        if isinstance(spec, dict):
            return self._check_mapping(value, spec, path)
        if isinstance(spec, ListSpec):
            return self._check_list(value, spec, path)
        if isinstance(spec, TextSpec):
            return self._check_text(value, spec, path)
        return self._check_scalar(value, spec, path)

    def _check_mapping(self, value: Any, spec: dict[str, Any], path: str) -> bool:
        if not isinstance(value, dict):
            self.problem(path, "expected a mapping of keys")
            return False
        ok = True
        for key in value:
            if key not in spec:
                self.problem(_join(path, str(key)), f"unknown key '{key}'")
                ok = False
        for key, sub_spec in spec.items():
            if isinstance(sub_spec, Optional):
                value.setdefault(key, sub_spec.default)
                sub_spec = sub_spec.spec
            if key not in value:
                self.problem(path, f"missing key '{key}'")
                ok = False
            else:
                ok = self.check(value[key], sub_spec, _join(path, key)) and ok
        return ok

    def _check_list(self, value: Any, spec: ListSpec, path: str) -> bool:
        if not isinstance(value, list):
            self.problem(path, "expected a list")
            return False
        ok = True
        if len(value) < spec.min:
            self.problem(path, f"needs at least {spec.min} entries, has {len(value)}")
            ok = False
        if spec.max is not None and len(value) > spec.max:
            self.problem(path, f"allows at most {spec.max} entries, has {len(value)}")
            ok = False
        for i, item in enumerate(value):
            ok = self.check(item, spec.item, f"{path}[{i}]") and ok
        return ok

    def _check_text(self, value: Any, spec: TextSpec, path: str) -> bool:
        if not isinstance(value, dict):
            self.problem(path, "expected a text with both languages, e.g. {en: ..., sv: ...}")
            return False
        ok = True
        for key in value:
            if key not in LANGS:
                self.problem(_join(path, str(key)), f"unknown language '{key}'")
                ok = False
        for lang in LANGS:
            sub = _join(path, lang)
            text = value.get(lang)
            if lang not in value:
                self.problem(path, f"{LANG_NAMES[lang]} text '{lang}' is missing")
                ok = False
            elif not isinstance(text, str):
                self.problem(sub, "expected text")
                ok = False
            elif not text.strip():
                self.problem(sub, f"{LANG_NAMES[lang]} text is empty")
                ok = False
            elif len(text) > spec.max_len:
                self.problem(sub, f"text is {len(text)} characters, at most {spec.max_len} fit")
                ok = False
        return ok

    def _check_scalar(self, value: Any, spec: ScalarSpec, path: str) -> bool:
        if spec.kind is int and (not isinstance(value, int) or isinstance(value, bool)):
            self.problem(path, "expected a whole number")
            return False
        if spec.kind is bool and not isinstance(value, bool):
            self.problem(path, "expected true or false")
            return False
        if spec.kind is str and (not isinstance(value, str) or not ID_PATTERN.match(value)):
            self.problem(path, "expected an id of lower-case letters, digits and hyphens")
            return False
        return True

    def unique_ids(self, items: list[Any], path: str, seen: dict[str, str] | None = None) -> None:
        seen = {} if seen is None else seen
        for i, item in enumerate(items):
            item_id = item["id"]
            where = f"{path}[{i}].id"
            if item_id in seen:
                self.problem(where, f"duplicate id '{item_id}' (first at {seen[item_id]})")
            else:
                seen[item_id] = f"{self.name}: {where}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _read(directory: Path, relative: str, schema: str, problems: list[Problem]) -> Any:
    """Parse and check one file; returns its data, or None when it is unusable."""
    reader = _Reader(relative, problems)
    try:
        text = (directory / relative).read_text(encoding="utf-8")
        node, data = _parse(text)
    except FileNotFoundError:
        reader.problem("", "file is missing")
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problems.append(Problem(relative, "", line, f"malformed YAML: {_yaml_reason(exc)}"))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        reader.problem("", f"cannot be read: {exc}")
        return None
    if node is not None:
        reader.index_lines(node)
    if not reader.check(data, SCHEMAS[schema], ""):
        return None
    return reader, data


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """Parse once (with libyaml when available): the node tree for line numbers, and the data."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml_reason(exc: yaml.YAMLError) -> str:
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    return " ".join(p for p in parts if p) or str(exc).splitlines()[0]


# --- building the model ---------------------------------------------------------------------


def _text(value: dict[str, str]) -> Text:
    return Text(en=value["en"].strip(), sv=value["sv"].strip())


def _question(q: dict[str, Any]) -> Question:
    return Question(q["id"], q["key"], _text(q["text"]), _text(q["why"]), _text(q["action"]))


def _check_questions(reader: _Reader, questions: list[Any], seen: dict[str, str]) -> None:
    reader.unique_ids(questions, "questions", seen)
    keys = [q for q in questions if q["key"]]
    if len(keys) != 1:
        reader.problem("questions", f"needs exactly one question with key: true, has {len(keys)}")


def _step(data: dict[str, Any]) -> Step:
    b = data["benefits"]
    return Step(
        number=data["number"],
        id=data["id"],
        phase=data["phase"],
        title=_text(data["title"]),
        short=_text(data["short"]),
        intro=_text(data["intro"]),
        overview=_text(data["overview"]),
        benefits=Benefits(
            tuple(map(_text, b["businesses"])),
            tuple(map(_text, b["cluster_organisation"])),
            tuple(map(_text, b["region"])),
        ),
        questions=tuple(map(_question, data["questions"])),
        tools=tuple(
            Tool(t["id"], _text(t["name"]), _text(t["description"])) for t in data["tools"]
        ),
        examples=tuple(
            Example(e["id"], _text(e["title"]), _text(e["text"])) for e in data["examples"]
        ),
        ready_when=_text(data["ready_when"]),
    )


def check_content(directory: Path | str | None = None) -> tuple[Content | None, list[Problem]]:
    """Validate the whole tree; returns the content (None if broken) and every problem."""
    directory = Path(directory) if directory is not None else DEFAULT_DIR
    problems: list[Problem] = []
    if not directory.is_dir():
        return None, [Problem(str(directory), "", None, "content folder not found")]

    journey = _read(directory, "journey.yaml", "journey", problems)
    phase_ids: set[str] = set()
    if journey:
        reader, data = journey
        reader.unique_ids(data["phases"], "phases")
        reader.unique_ids(data["answers"], "answers")
        phase_ids = {p["id"] for p in data["phases"]}
        if not 1 <= data["threshold"] <= 100:
            reader.problem("threshold", "must be a percentage between 1 and 100")
        for i, answer in enumerate(data["answers"]):
            if not 0 <= answer["score"] <= 100:
                reader.problem(f"answers[{i}].score", "must be a percentage between 0 and 100")

    question_ids: dict[str, str] = {}
    steps: list[Step] = []
    step_files = sorted(p.name for p in (directory / "steps").glob("*.yaml"))
    if not step_files:
        problems.append(Problem("steps/", "", None, "no step files found"))
    for position, name in enumerate(step_files, start=1):
        relative = f"steps/{name}"
        read = _read(directory, relative, "step", problems)
        match = re.match(r"^(\d\d)-([a-z0-9-]+)\.yaml$", name)
        if not match:
            problems.append(Problem(relative, "", None, "file name must look like 03-name.yaml"))
            continue
        if int(match.group(1)) != position:
            problems.append(
                Problem(relative, "", None, f"step files must be numbered 01, 02, … without gaps; "
                        f"expected {position:02d}")
            )
        if not read:
            continue
        reader, data = read
        if data["number"] != int(match.group(1)):
            reader.problem("number", f"is {data['number']} but the file name says {match.group(1)}")
        if data["id"] != match.group(2):
            reader.problem("id", f"is '{data['id']}' but the file name says '{match.group(2)}'")
        if phase_ids and data["phase"] not in phase_ids:
            reader.problem("phase", f"unknown phase '{data['phase']}' (journey.yaml has "
                           f"{', '.join(sorted(phase_ids))})")
        _check_questions(reader, data["questions"], question_ids)
        reader.unique_ids(data["tools"], "tools")
        reader.unique_ids(data["examples"], "examples")
        steps.append(_step(data))
    if step_files and len(step_files) != STEP_COUNT:
        found = f"the journey has {STEP_COUNT} steps, found {len(step_files)} files"
        problems.append(Problem("steps/", "", None, found))

    funding = _read(directory, "funding.yaml", "funding", problems)
    if funding:
        reader, data = funding
        _check_questions(reader, data["questions"], question_ids)
        reader.unique_ids(data["sources"], "sources")
        for i, source in enumerate(data["sources"]):
            for j, number in enumerate(source["steps"]):
                if not 1 <= number <= STEP_COUNT:
                    reader.problem(f"sources[{i}].steps[{j}]", f"no step {number} in the journey")

    glossary = _read(directory, "glossary.yaml", "glossary", problems)
    if glossary:
        glossary[0].unique_ids(glossary[1]["terms"], "terms")

    workshop = _read(directory, "workshop.yaml", "workshop", problems)
    if workshop:
        workshop[0].unique_ids(workshop[1]["support_kinds"], "support_kinds")
        workshop[0].unique_ids(workshop[1]["support_sources"], "support_sources")

    if problems or not (journey and funding and glossary and workshop):
        return None, problems

    j, f, g, w = journey[1], funding[1], glossary[1], workshop[1]
    content = Content(
        threshold=j["threshold"],
        title=_text(j["title"]),
        about=_text(j["about"]),
        start=_text(j["start"]),
        goal=_text(j["goal"]),
        phases=tuple(Phase(p["id"], _text(p["title"]), _text(p["summary"])) for p in j["phases"]),
        answers=tuple(Answer(a["id"], a["score"], _text(a["label"])) for a in j["answers"]),
        steps=tuple(steps),
        funding=Funding(
            title=_text(f["title"]),
            intro=_text(f["intro"]),
            overview=_text(f["overview"]),
            questions=tuple(map(_question, f["questions"])),
            sources=tuple(
                FundingSource(s["id"], _text(s["name"]), _text(s["description"]),
                              tuple(s["steps"]))
                for s in f["sources"]
            ),
        ),
        glossary=tuple(
            Term(t["id"], _text(t["term"]), _text(t["definition"])) for t in g["terms"]
        ),
        workshop=Workshop(
            title=_text(w["title"]),
            intro=_text(w["intro"]),
            questions=WorkshopQuestions(*(_text(w["questions"][k]) for k in
                                          ("step", "challenges", "support", "support_from"))),
            support_kinds=tuple(Option(o["id"], _text(o["label"])) for o in w["support_kinds"]),
            support_sources=tuple(
                Option(o["id"], _text(o["label"])) for o in w["support_sources"]
            ),
        ),
    )
    return content, []


def load_content(directory: Path | str | None = None) -> Content:
    """Load and validate the content; raises ContentError listing every problem."""
    content, problems = check_content(directory)
    if content is None:
        raise ContentError(problems)
    return content


def summary_line(content: Content) -> str:
    """One line for `cluster-journey content check` when the content is sound."""
    return (
        f"{len(content.steps)} steps, {content.question_count} questions, "
        f"{content.tool_count} tools, {len(content.glossary)} glossary terms, "
        f"{len(content.funding.sources)} funding sources: sv and en complete"
    )

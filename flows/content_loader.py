"""Loading and validating the content tree (`content/*.yaml`) into the typed model.

The content's shape is described once, by the dataclasses of `content_model` and the constraints
annotated on their fields; the checks of each file and the building of the objects are derived
from them here, so a new field needs no change in this module. Only the rules that span fields or
files (unique ids, one key question, ranges, file names) are written out, together below.

Validation reads the whole tree and reports every problem at once, each naming the file, the
entry path and the YAML line, so that an editor can fix a draft in one pass.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Protocol, TypeAlias, get_args, get_origin, get_type_hints

import yaml

from flows.content_model import (
    COMPOSED,
    STATUSES,
    Content,
    Entries,
    Format,
    Funding,
    FundingSource,
    MaxLen,
    Prerequisite,
    Question,
    Step,
    Template,
    Text,
    Tool,
    Workshop,
)
from flows.locales import languages

MAX_FILE = 512 * 1024  # bytes of one content file (the largest is about 40 KB)
MAX_DEPTH = 20  # levels of nesting (content uses six)
MAX_TEXT = 3500  # one Telegram message (4096) with room for headings and buttons
STEP_COUNT = 10
MAX_QUESTION_ID = 36
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
URL_PATTERN = re.compile(r"^https://([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)(/[^\s<>\"]*)?$")
SOURCES_FILE = "SOURCES.md"
# Hosts that copy or re-host other people's documents (document-sharing sites, mirrors,
# temporary hosting, web archives): never a source, even if someone lists them as allowed.
REFUSED_HOSTS = (
    "docplayer",
    "issuu.com",
    "docest.com",
    "hosted-temp.com",
    "slideshare.net",
    "scribd.com",
    "yumpu.com",
    "pdfslide",
    "dokumen.tips",
    "studylib",
    "archive.org",
    "archive.ph",
    "archive.today",
)
MAX_PHRASE = 60
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


# --- the rules, read off the model ----------------------------------------------------------


@dataclass(frozen=True)
class _Scalar:
    kind: type  # int, bool or str (a str field is an id unless `format` says otherwise)
    format: str = ""  # "url", "date" or "phrase" (see content_model.Format)


@dataclass(frozen=True)
class _Text:
    max_len: int


@dataclass(frozen=True)
class _List:
    item: _Rule
    min: int
    max: int | None


@dataclass(frozen=True)
class _Mapping:
    """The keys with their rules and defaults (_REQUIRED if none); `make` builds the value."""

    make: Callable[..., Any]
    keys: dict[str, tuple[_Rule, Any]]


_Rule: TypeAlias = "_Scalar | _Text | _List | _Mapping"
_REQUIRED = dataclasses.MISSING


@functools.cache
def _mapping(cls: type) -> _Mapping:
    """The rule for a model dataclass: its fields, type hints, constraints and defaults."""
    hints = get_type_hints(cls, include_extras=True)
    keys = {f.name: (_rule(hints[f.name]), f.default) for f in dataclasses.fields(cls)}
    return _Mapping(cls, keys)


def _rule(hint: Any) -> _Rule:
    """The rule for one field's type hint, with the constraints annotated on it."""
    marks: tuple[Any, ...] = ()
    if get_origin(hint) is Annotated:
        hint, *more = get_args(hint)
        marks = tuple(more)
    if get_origin(hint) is tuple and get_args(hint)[1:] == (...,):  # tuple[X, ...]: a list
        entries = next((m for m in marks if isinstance(m, Entries)), Entries(0))
        return _List(_rule(get_args(hint)[0]), entries.min, entries.max)
    if hint is Text:
        return _Text(next((m.chars for m in marks if isinstance(m, MaxLen)), MAX_TEXT))
    if hint in (int, bool, str):
        return _Scalar(hint, next((m.kind for m in marks if isinstance(m, Format)), ""))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _mapping(hint)
    raise TypeError(f"the content loader has no rule for {hint!r}")


@functools.cache
def _file_rules() -> dict[str, _Mapping]:
    """Which file holds what: a step per file under steps/; funding, glossary (its terms under
    `terms`) and workshop a file each; journey.yaml every other field of `Content`."""
    content = _mapping(Content).keys
    own_files = {"steps", "funding", "glossary", "workshop", "templates", "prerequisites"}
    return {
        "journey": _Mapping(dict, {k: v for k, v in content.items() if k not in own_files}),
        "step": _mapping(Step),
        "funding": _mapping(Funding),
        "glossary": _Mapping(dict, {"terms": content["glossary"]}),
        "workshop": _mapping(Workshop),
        "templates": _Mapping(dict, {"templates": content["templates"]}),
        "prerequisites": _Mapping(dict, {"prerequisites": content["prerequisites"]}),
    }


# --- reading YAML with line numbers ---------------------------------------------------------

_BAD: Any = object()  # what `_Reader.check` returns for a value that does not fit its rule


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


class _Reader:
    """Checks one file against its rule and builds it, collecting problems with line numbers."""

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

    def check(self, value: Any, rule: _Rule, path: str) -> Any:
        """`value` built into the model when it fits `rule`; otherwise _BAD, recording why."""
        if isinstance(rule, _Mapping):
            return self._check_mapping(value, rule, path)
        if isinstance(rule, _List):
            return self._check_list(value, rule, path)
        if isinstance(rule, _Text):
            return self._check_text(value, rule, path)
        return self._check_scalar(value, rule, path)

    def _check_mapping(self, value: Any, rule: _Mapping, path: str) -> Any:
        if not isinstance(value, dict):
            self.problem(path, "expected a mapping of keys")
            return _BAD
        ok = True
        for key in value:
            if key not in rule.keys:
                self.problem(_join(path, str(key)), f"unknown key '{key}'")
                ok = False
        built: dict[str, Any] = {}
        for key, (sub_rule, default) in rule.keys.items():
            if key in value:
                built[key] = self.check(value[key], sub_rule, _join(path, key))
                ok = ok and built[key] is not _BAD
            elif default is not _REQUIRED:
                built[key] = default
            else:
                self.problem(path, f"missing key '{key}'")
                ok = False
        return rule.make(**built) if ok else _BAD

    def _check_list(self, value: Any, rule: _List, path: str) -> Any:
        if not isinstance(value, list):
            self.problem(path, "expected a list")
            return _BAD
        ok = True
        if len(value) < rule.min:
            self.problem(path, f"needs at least {rule.min} entries, has {len(value)}")
            ok = False
        if rule.max is not None and len(value) > rule.max:
            self.problem(path, f"allows at most {rule.max} entries, has {len(value)}")
            ok = False
        items = [self.check(item, rule.item, f"{path}[{i}]") for i, item in enumerate(value)]
        return tuple(items) if ok and all(item is not _BAD for item in items) else _BAD

    def _check_text(self, value: Any, rule: _Text, path: str) -> Any:
        if not isinstance(value, dict):
            example = ", ".join(f"{language.code}: ..." for language in languages())
            self.problem(path, f"expected a text in every language, e.g. {{{example}}}")
            return _BAD
        ok = True
        codes = [language.code for language in languages()]
        for key in value:
            if key not in codes:
                self.problem(_join(path, str(key)), f"unknown language '{key}'")
                ok = False
        for language in languages():
            lang = language.code
            sub = _join(path, lang)
            text = value.get(lang)
            if lang not in value:
                self.problem(path, f"{language.name} text '{lang}' is missing")
                ok = False
            elif not isinstance(text, str):
                self.problem(sub, "expected text")
                ok = False
            elif not text.strip():
                self.problem(sub, f"{language.name} text is empty")
                ok = False
            elif len(text) > rule.max_len:
                self.problem(sub, f"text is {len(text)} characters, at most {rule.max_len} fit")
                ok = False
        return Text({lang: value[lang].strip() for lang in codes}) if ok else _BAD

    def _check_scalar(self, value: Any, rule: _Scalar, path: str) -> Any:
        if rule.kind is int and (not isinstance(value, int) or isinstance(value, bool)):
            self.problem(path, "expected a whole number")
            return _BAD
        if rule.kind is bool and not isinstance(value, bool):
            self.problem(path, "expected true or false")
            return _BAD
        if rule.kind is str and rule.format:
            return self._check_formatted(value, rule.format, path)
        if rule.kind is str and (not isinstance(value, str) or not ID_PATTERN.match(value)):
            self.problem(path, "expected an id of lower-case letters, digits and hyphens")
            return _BAD
        return value

    def _check_formatted(self, value: Any, kind: str, path: str) -> Any:
        if kind == "date":
            # YAML reads an unquoted 2026-03-01 as a date already
            if isinstance(value, str):
                try:
                    value = datetime.date.fromisoformat(value)
                except ValueError:
                    value = None
            if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
                self.problem(path, "expected a date written YYYY-MM-DD")
                return _BAD
            if value > datetime.date.today():
                self.problem(path, f"date {value.isoformat()} is in the future")
                return _BAD
            return value.isoformat()
        if not isinstance(value, str) or not value.strip():
            self.problem(path, "expected text")
            return _BAD
        if kind == "url":
            if value != COMPOSED and not URL_PATTERN.match(value):
                why = "plain http is refused" if value.startswith("http://") else ""
                self.problem(
                    path,
                    f"'{value}' is not an https web address nor '{COMPOSED}'"
                    + (f" ({why})" if why else ""),
                )
                return _BAD
            return value
        if kind == "status":
            if value not in STATUSES:
                self.problem(path, f"'{value}' is not a status ({', '.join(STATUSES)})")
                return _BAD
            return value
        if len(value) > MAX_PHRASE:
            self.problem(path, f"is {len(value)} characters, at most {MAX_PHRASE} fit")
            return _BAD
        return value.strip()

    def unique_ids(
        self, items: Sequence[_HasId], path: str, seen: dict[str, str] | None = None
    ) -> None:
        seen = {} if seen is None else seen
        for i, item in enumerate(items):
            where = f"{path}[{i}].id"
            if item.id in seen:
                self.problem(where, f"duplicate id '{item.id}' (first at {seen[item.id]})")
            else:
                seen[item.id] = f"{self.name}: {where}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _read(
    directory: Path, relative: str, rule: _Mapping, problems: list[Problem]
) -> tuple[_Reader, Any] | None:
    """Parse, check and build one file; None when it is unusable."""
    reader = _Reader(relative, problems)
    try:
        size = (directory / relative).stat().st_size
        if size > MAX_FILE:  # a content file is a few dozen KB; this one is not content
            reader.problem("", f"is {size // 1024} KB; a content file may be {MAX_FILE // 1024} KB")
            return None
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
    built = reader.check(data, rule, "")
    return None if built is _BAD else (reader, built)


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """Parse once (with libyaml when available): the node tree for line numbers, and the data."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _plain_tree(node)
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _plain_tree(root: yaml.Node) -> None:
    """Refuse what content never needs and what makes a small file huge once read: a node
    used twice (an alias: "billion laughs" grows to gigabytes from a few lines) and nesting
    deeper than MAX_DEPTH. Walks the parsed nodes once, before anything is built from them."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (&name, *name) are not allowed in content",
                problem_mark=node.start_mark,
            )
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise yaml.MarkedYAMLError(
                problem=f"nested deeper than {MAX_DEPTH} levels", problem_mark=node.start_mark
            )
        if isinstance(node, yaml.MappingNode):
            stack += [(child, depth + 1) for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(child, depth + 1) for child in node.value]


def _yaml_reason(exc: yaml.YAMLError) -> str:
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    return " ".join(p for p in parts if p) or str(exc).splitlines()[0]


# --- the rules across fields and files ------------------------------------------------------


def _check_journey(reader: _Reader, journey: dict[str, Any]) -> set[str]:
    """Checks journey.yaml's fields together; returns the phase ids."""
    reader.unique_ids(journey["phases"], "phases")
    reader.unique_ids(journey["answers"], "answers")
    if not 1 <= journey["threshold"] <= 100:
        reader.problem("threshold", "must be a percentage between 1 and 100")
    for i, answer in enumerate(journey["answers"]):
        if not 0 <= answer.score <= 100:
            reader.problem(f"answers[{i}].score", "must be a percentage between 0 and 100")
    return {p.id for p in journey["phases"]}


def _check_step_file_name(
    name: str, position: int, problems: list[Problem]
) -> re.Match[str] | None:
    """Step files are `NN-id.yaml`, numbered 01, 02, … in order; the match, or None if misnamed."""
    relative = f"steps/{name}"
    match = re.match(r"^(\d\d)-([a-z0-9-]+)\.yaml$", name)
    if not match:
        problems.append(Problem(relative, "", None, "file name must look like 03-name.yaml"))
        return None
    if int(match.group(1)) != position:
        message = f"step files must be numbered 01, 02, … without gaps; expected {position:02d}"
        problems.append(Problem(relative, "", None, message))
    return match


def _check_step(
    reader: _Reader,
    step: Step,
    name: re.Match[str],
    phase_ids: set[str],
    question_ids: dict[str, str],
) -> None:
    if step.number != int(name.group(1)):
        reader.problem("number", f"is {step.number} but the file name says {name.group(1)}")
    if step.id != name.group(2):
        reader.problem("id", f"is '{step.id}' but the file name says '{name.group(2)}'")
    if phase_ids and step.phase not in phase_ids:
        reader.problem(
            "phase",
            f"unknown phase '{step.phase}' (journey.yaml has {', '.join(sorted(phase_ids))})",
        )
    _check_questions(reader, step.questions, question_ids)
    reader.unique_ids(step.tools, "tools")
    reader.unique_ids(step.examples, "examples")


def _check_questions(
    reader: _Reader, questions: Sequence[Question], question_ids: dict[str, str]
) -> None:
    """Question ids are unique across all steps and funding, short enough to travel in a
    button ("k.<token>.own:due:<id>:2027-01", at most 64 bytes); one key question each."""
    reader.unique_ids(questions, "questions", question_ids)
    for i, question in enumerate(questions):
        if len(question.id) > MAX_QUESTION_ID:
            reader.problem(
                f"questions[{i}].id",
                f"is {len(question.id)} characters, at most {MAX_QUESTION_ID} fit in a button",
            )
    keys = sum(q.key for q in questions)
    if keys != 1:
        reader.problem("questions", f"needs exactly one question with key: true, has {keys}")


def _check_funding(reader: _Reader, funding: Funding, question_ids: dict[str, str]) -> None:
    _check_questions(reader, funding.questions, question_ids)
    reader.unique_ids(funding.sources, "sources")
    for i, source in enumerate(funding.sources):
        for j, number in enumerate(source.steps):
            if not 1 <= number <= STEP_COUNT:
                reader.problem(f"sources[{i}].steps[{j}]", f"no step {number} in the journey")


def _check_templates(reader: _Reader, templates: Sequence[Template]) -> None:
    reader.unique_ids(templates, "templates")
    for i, template in enumerate(templates):
        for j, number in enumerate(template.steps):
            if not 0 <= number <= STEP_COUNT:
                reader.problem(
                    f"templates[{i}].steps[{j}]", f"no step {number} (0 is Utilise funding)"
                )


def _check_template_references(
    steps: Sequence[tuple[_Reader, Step]],
    funding: tuple[_Reader, Funding] | None,
    template_ids: set[str],
) -> None:
    """A tool or an action that names a template names one that exists."""
    named: list[tuple[_Reader, str, Sequence[Question | Tool]]] = []
    for reader, step in steps:
        named += [(reader, "questions", step.questions), (reader, "tools", step.tools)]
    if funding:
        named.append((funding[0], "questions", funding[1].questions))
    for reader, path, items in named:
        for i, item in enumerate(items):
            if item.template and item.template not in template_ids:
                reader.problem(
                    f"{path}[{i}].template",
                    f"no template '{item.template}' in templates.yaml",
                )


def _check_prerequisites(reader: _Reader, prerequisites: Sequence[Prerequisite]) -> None:
    """Each step listed once; it presupposes only earlier steps of the journey."""
    seen: set[int] = set()
    for i, item in enumerate(prerequisites):
        if not 1 <= item.step <= STEP_COUNT:
            reader.problem(f"prerequisites[{i}].step", f"no step {item.step} in the journey")
        elif item.step in seen:
            reader.problem(f"prerequisites[{i}].step", f"step {item.step} is listed twice")
        seen.add(item.step)
        for j, number in enumerate(item.needs):
            if not 1 <= number < item.step:
                reader.problem(
                    f"prerequisites[{i}].needs[{j}]",
                    f"step {item.step} can only presuppose an earlier step, not {number}",
                )


def _check_workshop(reader: _Reader, workshop: Workshop) -> None:
    reader.unique_ids(workshop.support_kinds, "support_kinds")
    reader.unique_ids(workshop.support_sources, "support_sources")


def allowed_hosts(directory: Path) -> tuple[list[str], list[Problem]]:
    """The hosts `SOURCES.md` lists under "## Allowed hosts", one `host` a bullet."""
    try:
        text = (directory / SOURCES_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return [], [Problem(SOURCES_FILE, "", None, "file is missing or unreadable")]
    section = re.search(r"^## Allowed hosts\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    hosts = re.findall(r"^- `([a-z0-9.-]+)`", section.group(1), re.M) if section else []
    if not hosts:
        return [], [Problem(SOURCES_FILE, "", None, "no '## Allowed hosts' list of `host`s")]
    problems = [
        Problem(SOURCES_FILE, "Allowed hosts", None, f"'{host}' is a refused host")
        for host in hosts
        if _refused(host)
    ]
    return hosts, problems


def _refused(host: str) -> bool:
    return any(bad in host for bad in REFUSED_HOSTS)


def host_problem(url: str, allowed: Sequence[str]) -> str:
    """Why a source address is not one to print under an action ("" when it is)."""
    if url == COMPOSED:
        return ""
    match = URL_PATTERN.match(url)
    host = match.group(1).lower() if match else ""
    if _refused(host):
        return f"'{host}' copies or re-hosts documents; link the owner's own page"
    if not any(host == a or host.endswith("." + a) for a in allowed):
        return f"'{host}' is not an allowed host (add the owner's host to {SOURCES_FILE})"
    return ""


def _check_hosts(
    items: Sequence[tuple[_Reader, str, Sequence[Tool | FundingSource]]], allowed: Sequence[str]
) -> None:
    for reader, path, sourced in items:
        for i, item in enumerate(sourced):
            why = host_problem(item.source, allowed)
            if why:
                reader.problem(f"{path}[{i}].source", why)


def _check_current_tools(reader: _Reader, step: Step, least: int = 3) -> None:
    """A step offers at least `least` tools a cluster can use now (past ones are background)."""
    if len(step.current_tools) < least:
        reader.problem(
            "tools",
            f"needs at least {least} current tools (not past), has {len(step.current_tools)}",
        )


# --- the whole tree -------------------------------------------------------------------------


def check_content(directory: Path | str | None = None) -> tuple[Content | None, list[Problem]]:
    """Validate the whole tree; returns the content (None if broken) and every problem."""
    directory = Path(directory) if directory is not None else DEFAULT_DIR
    problems: list[Problem] = []
    if not directory.is_dir():
        return None, [Problem(str(directory), "", None, "content folder not found")]
    rules = _file_rules()

    journey = _read(directory, "journey.yaml", rules["journey"], problems)
    phase_ids = _check_journey(*journey) if journey else set()

    question_ids: dict[str, str] = {}
    steps: list[Step] = []
    step_readers: list[tuple[_Reader, Step]] = []
    step_files = sorted(p.name for p in (directory / "steps").glob("*.yaml"))
    if not step_files:
        problems.append(Problem("steps/", "", None, "no step files found"))
    for position, name in enumerate(step_files, start=1):
        read = _read(directory, f"steps/{name}", rules["step"], problems)
        match = _check_step_file_name(name, position, problems)
        if match and read:
            _check_step(read[0], read[1], match, phase_ids, question_ids)
            _check_current_tools(*read)
            steps.append(read[1])
            step_readers.append(read)
    if step_files and len(step_files) != STEP_COUNT:
        found = f"the journey has {STEP_COUNT} steps, found {len(step_files)} files"
        problems.append(Problem("steps/", "", None, found))

    funding = _read(directory, "funding.yaml", rules["funding"], problems)
    if funding:
        _check_funding(*funding, question_ids)
    glossary = _read(directory, "glossary.yaml", rules["glossary"], problems)
    if glossary:
        glossary[0].unique_ids(glossary[1]["terms"], "terms")
    workshop = _read(directory, "workshop.yaml", rules["workshop"], problems)
    if workshop:
        _check_workshop(*workshop)
    templates = _read(directory, "templates.yaml", rules["templates"], problems)
    if templates:
        _check_templates(templates[0], templates[1]["templates"])
        ids = {t.id for t in templates[1]["templates"]}
        _check_template_references(step_readers, funding, ids)
    hosts, host_problems = allowed_hosts(directory)
    problems += host_problems
    sourced: list[tuple[_Reader, str, Sequence[Tool | FundingSource]]] = [
        (reader, "tools", step.tools) for reader, step in step_readers
    ]
    if funding:
        sourced.append((funding[0], "sources", funding[1].sources))
    if hosts:
        _check_hosts(sourced, hosts)

    prerequisites = _read(directory, "prerequisites.yaml", rules["prerequisites"], problems)
    if prerequisites:
        _check_prerequisites(prerequisites[0], prerequisites[1]["prerequisites"])

    if problems or not (
        journey and funding and glossary and workshop and templates and prerequisites
    ):
        return None, problems
    content = Content(
        **journey[1],
        steps=tuple(steps),
        funding=funding[1],
        glossary=glossary[1]["terms"],
        workshop=workshop[1],
        templates=templates[1]["templates"],
        prerequisites=prerequisites[1]["prerequisites"],
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
        f"{len(content.funding.sources)} funding sources, {len(content.templates)} templates, "
        f"{_dated(content)} sources dated: sv and en complete"
    )


def _dated(content: Content) -> int:
    """How many tools and funding sources carry a checked date (all of them, once loaded)."""
    return sum(len(s.tools) for s in content.steps) + len(content.funding.sources)

"""Guidance on demand: the list of steps, a step's sections, funding, the templates as files,
and the glossary; pure."""

from __future__ import annotations

import unicodedata

from flows.content_model import COMPOSED, Content, FundingSource, Step, Template, Term, Text, Tool
from flows.i18n import _, current_language, ngettext
from flows.locales import others
from flows.messages import Attachment, Choice, Reply, Table
from flows.state import Awaiting
from flows.turn import Turn
from flows.workshop.export import csv_delimiter

SECTIONS = ("overview", "benefits", "tools", "examples", "check")
MAX_QUERY = 100
MAX_TEXT_INPUT = 4000  # of a glossary lookup's text, what is read


def _section_label(section: str) -> str:
    return {
        "overview": _("Overview"),
        "benefits": _("Benefits"),
        "tools": _("Tools"),
        "examples": _("Examples"),
        "check": _("Readiness check"),
    }[section]


def steps_list(content: Content) -> Reply:
    lang = current_language()
    lines = [content.title.get(lang), f"{content.start.get(lang)} → {content.goal.get(lang)}", ""]
    for phase in content.phases:
        lines.append(f"{phase.title.get(lang)}: {phase.summary.get(lang)}")
    choices = [
        Choice(f"guide:{s.number}", f"{s.number}. {s.title.get(lang)}") for s in content.steps
    ]
    choices.append(Choice("guide:funding", content.funding.title.get(lang)))
    choices.append(Choice("guide:templates", _("Templates to download")))
    return Reply("\n".join(lines) + "\n\n" + _("Choose a step:"), tuple(choices))


def _source_line(item: Tool | FundingSource) -> str:
    """Where a tool or funding source comes from, and when that was last checked."""
    if item.source == COMPOSED:
        return _("(our own suggestion, built on the handbook's structure)")
    return _("Source: {url} (checked {date})").format(url=item.source, date=item.checked)


def status_label(status: str) -> str:
    """What a status means to a cluster that wants to apply (see content_model.STATUSES)."""
    return {
        "open": _("Open now"),
        "recurring": _("Recurring calls"),
        "closed": _("Closed – watch for the next call"),
        "proposed": _("Proposal, not yet adopted"),
        "past": _("Ended"),
    }[status]


def _funding_entry(source: FundingSource, lang: str) -> str:
    steps = _("(steps {steps})").format(steps=", ".join(map(str, source.steps)))
    return (
        f"• {source.name.get(lang)} – {status_label(source.status)} {steps}\n"
        f"{source.description.get(lang)}\n{_source_line(source)}"
    )


def _bullets(items: tuple[Text, ...], lang: str) -> str:
    return "\n".join(f"• {t.get(lang)}" for t in items)


def _section_text(content: Content, step: Step, section: str) -> str:
    lang = current_language()
    ready = _("Ready for the next step when:") + " " + step.ready_when.get(lang)
    if section == "overview":
        return f"{step.overview.get(lang)}\n\n{ready}"
    if section == "benefits":
        b = step.benefits
        return "\n\n".join(
            [
                _("For businesses:") + "\n" + _bullets(b.businesses, lang),
                _("For the cluster organisation:") + "\n" + _bullets(b.cluster_organisation, lang),
                _("For the region and policy makers:") + "\n" + _bullets(b.region, lang),
            ]
        )
    if section == "tools":
        parts = []
        for tool in step.current_tools:
            part = f"• {tool.name.get(lang)}: {tool.description.get(lang)}\n{_source_line(tool)}"
            template = content.template(tool.template) if tool.template else None
            if template is not None:
                part += "\n" + _("Template below: {title}").format(title=template.title.get(lang))
            parts.append(part)
        if len(step.current_tools) < len(step.tools):
            parts.append(_("Programmes that have ended are under Background, on the funding page."))
        return "\n\n".join(parts)
    if section == "examples":
        return "\n\n".join(f"• {e.title.get(lang)}: {e.text.get(lang)}" for e in step.examples)
    questions = "\n".join(f"• {q.text.get(lang)}" for q in step.questions)
    return f"{questions}\n\n{ready}"


def step_section(content: Content, number: int, section: str = "overview") -> Reply:
    lang = current_language()
    step = content.step(number)
    phase = content.phase(step.phase).title.get(lang)
    head = _("Step {number} of {total} · {phase}").format(
        number=number, total=len(content.steps), phase=phase
    )
    text = (
        f"{head}\n{step.title.get(lang)} — {_section_label(section)}\n\n"
        f"{_section_text(content, step, section)}"
    )
    # every section in the same place on every screen, the one shown marked
    choices = [
        Choice(f"guide:{number}:{s}", ("▸ " if s == section else "") + _section_label(s))
        for s in SECTIONS
    ]
    templates = [
        Choice(f"tpl:{t.id}:{number}", _("Download: {title}").format(title=t.title.get(lang)))
        for t in content.templates_of(number)
    ]
    nav = []
    if number < len(content.steps):
        nav.append(Choice(f"guide:{number + 1}", _("Next step →")))
    nav.append(Choice("guide:list", _("← All steps")))
    return Reply(
        text,
        (*choices, *templates, *nav),
        rows=(3, 2, *([1] * len(templates)), len(nav)),
    )


def _checked_on(sources: tuple[FundingSource, ...]) -> str:
    return max((s.checked for s in sources), default="")


def funding_page(content: Content) -> Reply:
    """Current support first: what a cluster can apply for or use now, dated; closed calls,
    proposals and the programmes that have ended each one tap away."""
    lang = current_language()
    f = content.funding
    current = tuple(s for s in f.sources if s.current)
    heading = _("Support you can apply for or use in 2026–2027 (checked {date}):").format(
        date=_checked_on(current)
    )
    entries = "\n\n".join(_funding_entry(s, lang) for s in current)
    text = f"{f.title.get(lang)}\n\n{f.overview.get(lang)}\n\n{heading}\n\n{entries}"
    templates = [
        Choice(f"tpl:{t.id}:0", _("Download: {title}").format(title=t.title.get(lang)))
        for t in content.templates_of(0)
    ]
    more = (
        Choice("guide:watch", _("Closed calls and proposals")),
        Choice("guide:background", _("Background")),
    )
    return Reply(
        text,
        (*templates, *more, Choice("guide:list", _("← All steps"))),
        rows=(*([1] * len(templates)), 2, 1),
    )


def watch_page(content: Content) -> Reply:
    """Calls that have closed but are the kind to watch for, and proposals not yet adopted."""
    lang = current_language()
    watch = tuple(s for s in content.funding.sources if s.status in ("closed", "proposed"))
    text = "\n\n".join(
        [
            _("Closed calls to watch for, and proposals (checked {date}):").format(
                date=_checked_on(watch)
            ),
            *(_funding_entry(s, lang) for s in watch),
        ]
    )
    return Reply(
        text,
        (
            Choice("guide:funding", content.funding.title.get(lang)),
            Choice("guide:list", _("← All steps")),
        ),
        rows=(2,),
    )


def background_page(content: Content) -> Reply:
    """Programmes that have ended: the history behind the handbook, never offered as an action."""
    lang = current_language()
    parts = [
        _(
            "Background: programmes that have ended. They shaped how Swedish clusters work "
            "internationally, but you cannot apply to them or join them."
        )
    ]
    parts += [_funding_entry(s, lang) for s in content.funding.sources if s.background]
    for step in content.steps:
        for tool in step.tools:
            if tool.status == "past":
                where = _("(steps {steps})").format(steps=step.number)
                parts.append(
                    f"• {tool.name.get(lang)} – {status_label(tool.status)} {where}\n"
                    f"{tool.description.get(lang)}\n{_source_line(tool)}"
                )
    return Reply(
        "\n\n".join(parts),
        (
            Choice("guide:funding", content.funding.title.get(lang)),
            Choice("guide:list", _("← All steps")),
        ),
        rows=(2,),
    )


def templates_list(content: Content) -> Reply:
    lang = current_language()
    lines = [
        _(
            "Forms you can download and use with your members and board, as spreadsheet "
            "files (CSV) that Excel, Numbers and Google Sheets open."
        ),
        "",
    ]
    for t in content.templates:
        lines.append(f"• {t.title.get(lang)} – {template_steps(content, t)}")
    choices = [Choice(f"tpl:{t.id}", t.title.get(lang)) for t in content.templates]
    choices.append(Choice("guide:list", _("← All steps")))
    return Reply("\n".join(lines), tuple(choices))


def template_steps(content: Content, template: Template) -> str:
    """Where a template belongs, in words: "steps 1, 4" and the funding track by its name,
    never mixed into the numbers ("step Utilise funding, 4")."""
    numbers = [n for n in template.steps if n]
    parts = []
    if numbers:
        parts.append(
            ngettext("step {steps}", "steps {steps}", len(numbers)).format(
                steps=", ".join(map(str, numbers))
            )
        )
    if 0 in template.steps:
        parts.append(content.funding.title.get(current_language()))
    return (
        _("{steps} and {funding}").format(steps=parts[0], funding=parts[1])
        if len(parts) == 2
        else parts[0]
    )


def template_table(template: Template, lang: str) -> Table:
    """The template as a spreadsheet: one row per item, a column to fill in."""
    rows = tuple(
        (str(i), item.text.get(lang), item.answer.get(lang), "")
        for i, item in enumerate(template.items, start=1)
    )
    headers = ("#", _("Question or item"), _("How to answer"), _("Your answer"))
    return Table(headers, rows, csv_delimiter(lang))


def template_replies(
    content: Content, template: Template, number: int | None = None
) -> list[Reply]:
    """The template as a file, then what it is for, with the way on: back to the step (or
    the funding page) it was downloaded from, when it was."""
    lang = current_language()
    title = template.title.get(lang)
    filename = f"{template.id}-{lang}.csv"
    back: tuple[Choice, ...] = ()
    if number == 0:
        back = (
            Choice("guide:funding", _("← {title}").format(title=content.funding.title.get(lang))),
        )
    elif number is not None:
        back = (Choice(f"guide:{number}", _("← Step {number}").format(number=number)),)
    return [
        Reply(title, attachment=Attachment(filename, template_table(template, lang))),
        Reply(
            f"{title}\n\n{template.intro.get(lang)}",
            (
                *back,
                Choice("guide:templates", _("All templates")),
                Choice("menu:home", _("Main menu")),
            ),
            rows=(*([1] * len(back)), 2),
        ),
    ]


def _fold(text: str) -> str:
    """Lower case, accents and punctuation away: "Värdekedja (S3)" → "vardekedja s3"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def _names(term: Term) -> list[str]:
    return [_fold(n) for n in (*term.term.by_lang.values(), *term.aliases)]


def find_terms(content: Content, query: str) -> list[Term]:
    """The terms a user means by `query`, in either language: a term or alias spelled out wins;
    then names with a word that starts with the query; then names that contain it anywhere.
    Case, accents and punctuation do not matter ("een", "vardekedja", "S3")."""
    needle = _fold(query)
    if not needle:
        return []
    named = [(t, _names(t)) for t in content.glossary]
    exact = [t for t, names in named if needle in names]
    if exact:
        return exact
    words = [
        t
        for t, names in named
        if any(n.startswith(needle) or f" {needle}" in f" {n}" for n in names)
    ]
    if words:
        return words
    return [t for t, names in named if any(needle in n for n in names)]


def term_reply(term: Term) -> Reply:
    lang = current_language()
    head = name = term.term.get(lang)
    for other in others(lang):
        if term.term.get(other.code) != name:
            head += "\n" + _("In {language}: {term}").format(
                language=_(other.name), term=term.term.get(other.code)
            )
    return Reply(
        f"{head}\n\n{term.definition.get(lang)}",
        (
            Choice("glossary:list", _("Look up another term")),
            Choice("menu:home", _("Main menu")),
        ),
        rows=(2,),
    )


def glossary_prompt(content: Content) -> Reply:
    lang = current_language()
    terms = ", ".join(sorted((t.term.get(lang) for t in content.glossary), key=str.casefold))
    return Reply(
        _("Type a term, an abbreviation or part of a word, in Swedish or English.")
        + "\n\n"
        + _("Terms: {terms}").format(terms=terms),
        (Choice("menu:home", _("Main menu")),),
    )


def glossary_lookup(content: Content, query: str) -> Reply:
    lang = current_language()
    home = Choice("menu:home", _("Main menu"))
    if len(query) > MAX_QUERY:
        return Reply(_("That is too long for a term. Type a word or two."), (home,))
    matches = find_terms(content, query)
    if len(matches) == 1:
        return term_reply(matches[0])
    if matches:
        return Reply(
            _("Several terms match. Choose one:"),
            (*(Choice(f"term:{t.id}", t.term.get(lang)) for t in matches[:12]), home),
        )
    return Reply(
        _("No term matches “{query}”. Try an abbreviation or part of a word.").format(
            query=query.strip()[:40]
        ),
        (home,),
    )


class Guide:
    """The routes of the guidance pages and the glossary."""

    def __init__(self, content: Content) -> None:
        self.content = content

    async def steps_command(self, turn: Turn, _arg: str) -> None:
        turn.conversation.awaiting = Awaiting.NOTHING
        turn.say(steps_list(self.content))

    async def glossary_command(self, turn: Turn, arg: str) -> None:
        if arg:
            turn.conversation.awaiting = Awaiting.NOTHING
            turn.say(glossary_lookup(self.content, arg))
        else:
            turn.conversation.awaiting = Awaiting.TERM
            turn.say(glossary_prompt(self.content))

    async def guide_choice(self, turn: Turn, value: str) -> bool:
        turn.conversation.awaiting = Awaiting.NOTHING
        if value == "list":
            turn.say(steps_list(self.content))
            return True
        if value == "funding":
            turn.say(funding_page(self.content))
            return True
        if value == "watch":
            turn.say(watch_page(self.content))
            return True
        if value == "background":
            turn.say(background_page(self.content))
            return True
        if value == "templates":
            turn.say(templates_list(self.content))
            return True
        text, _sep, section = value.partition(":")
        number = self.content.step_number(text)
        if number is None or (section and section not in SECTIONS):
            return False
        turn.say(step_section(self.content, number, section or "overview"))
        return True

    async def glossary_choice(self, turn: Turn, value: str) -> bool:
        if value != "list":
            return False
        turn.conversation.awaiting = Awaiting.TERM
        turn.say(glossary_prompt(self.content))
        return True

    async def term_choice(self, turn: Turn, term_id: str) -> bool:
        term = next((t for t in self.content.glossary if t.id == term_id), None)
        if term is None:
            return False
        turn.say(term_reply(term))
        return True

    async def template_choice(self, turn: Turn, value: str) -> bool:
        """A template's download; `id:N` when it was offered in step N (0: funding)."""
        template_id, _sep, where = value.partition(":")
        template = self.content.template(template_id)
        number = 0 if where == "0" else self.content.step_number(where)
        if template is None or (where and number is None):
            return False
        turn.say(*template_replies(self.content, template, number))
        return True

    async def glossary_text(self, turn: Turn, text: str) -> bool:
        text = text.strip()
        if not text:
            return False
        turn.say(glossary_lookup(self.content, text[:MAX_TEXT_INPUT]))
        return True

"""Guidance on demand: the list of steps, a step's sections, funding, and the glossary; pure."""

from __future__ import annotations

from flows.content_model import Content, Step, Term, Text
from flows.i18n import _, current_language
from flows.messages import Choice, Reply
from flows.turn import Turn

SECTIONS = ("overview", "benefits", "tools", "examples", "check")
MAX_QUERY = 100
MAX_TEXT_INPUT = 4096


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
    return Reply("\n".join(lines) + "\n\n" + _("Choose a step:"), tuple(choices))


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
        return "\n\n".join(f"• {t.name.get(lang)}: {t.description.get(lang)}" for t in step.tools)
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
    if number < len(content.steps):
        choices.append(Choice(f"guide:{number + 1}", _("Next step →")))
    choices.append(Choice("guide:list", _("← All steps")))
    return Reply(text, tuple(choices), rows=(3, 2, len(choices) - len(SECTIONS)))


def funding_page(content: Content) -> Reply:
    lang = current_language()
    f = content.funding
    sources = "\n\n".join(
        f"• {s.name.get(lang)}: {s.description.get(lang)} "
        + _("(steps {steps})").format(steps=", ".join(map(str, s.steps)))
        for s in f.sources
    )
    text = f"{f.title.get(lang)}\n\n{f.overview.get(lang)}\n\n{sources}"
    return Reply(text, (Choice("guide:list", _("← All steps")),))


def find_terms(content: Content, query: str) -> list[Term]:
    """Terms whose name starts with the query (either language, any case); exact match wins."""
    needle = query.strip().casefold()
    if not needle:
        return []
    exact = [t for t in content.glossary if needle in (t.term.en.casefold(), t.term.sv.casefold())]
    if exact:
        return exact
    return [
        t
        for t in content.glossary
        if t.term.en.casefold().startswith(needle) or t.term.sv.casefold().startswith(needle)
    ]


def term_reply(term: Term) -> Reply:
    lang = current_language()
    other = term.term.en if lang == "sv" else term.term.sv
    return Reply(
        f"{term.term.get(lang)} ({other})\n\n{term.definition.get(lang)}",
        (Choice("glossary:list", _("Look up another term")),),
    )


def glossary_prompt(content: Content) -> Reply:
    lang = current_language()
    terms = ", ".join(sorted((t.term.get(lang) for t in content.glossary), key=str.casefold))
    return Reply(
        _("Type a term, or its first letters, in Swedish or English.")
        + "\n\n"
        + _("Terms: {terms}").format(terms=terms)
    )


def glossary_lookup(content: Content, query: str) -> Reply:
    lang = current_language()
    if len(query) > MAX_QUERY:
        return Reply(_("That is too long for a term. Type a word or two."))
    matches = find_terms(content, query)
    if len(matches) == 1:
        return term_reply(matches[0])
    if matches:
        return Reply(
            _("Several terms match. Choose one:"),
            tuple(Choice(f"term:{t.id}", t.term.get(lang)) for t in matches[:12]),
        )
    return Reply(
        _("No term matches “{query}”. Try the first letters, in Swedish or English.").format(
            query=query.strip()[:40]
        )
    )


class Guide:
    """The routes of the guidance pages and the glossary."""

    def __init__(self, content: Content) -> None:
        self.content = content

    async def steps_command(self, turn: Turn, _arg: str) -> None:
        turn.conversation.flow = "menu"
        turn.say(steps_list(self.content))

    async def glossary_command(self, turn: Turn, arg: str) -> None:
        if arg:
            turn.conversation.flow = "menu"
            turn.say(glossary_lookup(self.content, arg))
        else:
            turn.conversation.flow = "glossary"
            turn.say(glossary_prompt(self.content))

    async def guide_choice(self, turn: Turn, value: str) -> bool:
        turn.conversation.flow = "menu"
        if value == "list":
            turn.say(steps_list(self.content))
            return True
        if value == "funding":
            turn.say(funding_page(self.content))
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
        turn.conversation.flow = "glossary"
        turn.say(glossary_prompt(self.content))
        return True

    async def term_choice(self, turn: Turn, term_id: str) -> bool:
        term = next((t for t in self.content.glossary if t.id == term_id), None)
        if term is None:
            return False
        turn.say(term_reply(term))
        return True

    async def glossary_text(self, turn: Turn, text: str) -> bool:
        text = text.strip()
        if not text:
            return False
        turn.say(glossary_lookup(self.content, text[:MAX_TEXT_INPUT]))
        return True

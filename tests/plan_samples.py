"""Action plans written out by hand, as the builder would fill them, for the renderers' tests:
one in Swedish and one in English (both quick checks at step 3), and a long one with every step
held back, many actions and long texts, to push the layout over several pages."""

from __future__ import annotations

from dataclasses import replace

from flows.messages import (
    ActionPlan,
    Link,
    PlanAction,
    PlanLabels,
    PlanStep,
    PlanTool,
    ReadinessChart,
)

SV_TITLES = (
    "Varför internationalisera?",
    "Bedöm er mognad",
    "Identifiera möjligheter",
    "Ta fram strategi och handlingsplan",
    "Genomför utbildning",
    "Identifiera partner",
    "Bygg förtroende och projekt",
    "Genomför projekt",
    "Mät framgång",
    "Håll liv i nätverken",
)
EN_TITLES = (
    "Why Internationalise?",
    "Assess Readiness",
    "Identify Opportunities",
    "Create Strategy & Action Plan",
    "Implement Training",
    "Identify Partners",
    "Develop Trust & Projects",
    "Implement Projects",
    "Measure Success",
    "Sustain the Networks",
)

SV_LABELS = PlanLabels(
    readiness="Mognad per steg",
    step="Steg",
    readiness_column="Mognad",
    held_back="Vad höll tillbaka",
    actions="Nästa åtgärder",
    why="Varför",
    tools="Verktyg",
    template="Mall",
    owner="Ansvarig",
    due="Klart senast",
    state="Status",
    nobody="–",
    no_actions="Inget kvar att göra just nu.",
    ready_when="Redo för nästa steg när …",
    unsure="Vet inte – att reda ut med kollegerna",
    change="Förändring sedan förra bedömningen",
    page="Sida {page} av {pages}",
    sources="Källor",
)
EN_LABELS = PlanLabels(
    readiness="Readiness per step",
    step="Step",
    readiness_column="Readiness",
    held_back="What held it back",
    actions="Next actions",
    why="Why",
    tools="Tools",
    template="Template",
    owner="Owner",
    due="Due",
    state="State",
    nobody="–",
    no_actions="Nothing left to do for now.",
    ready_when="Ready for the next step when …",
    unsure="Not sure – to settle with colleagues",
    change="Change since the previous assessment",
    page="Page {page} of {pages}",
)

ECCP = Link("European Cluster Collaboration Platform (ECCP)", "https://clustercollaboration.eu/")
EEN = Link("Enterprise Europe Network (EEN)", "https://een.ec.europa.eu/")
NO_URL = Link("Klusterkartan i Excel", "")
# a long address with numbers in it: the source list must never break inside a number
LONG = Link(
    "Tillväxtverket: Driv kluster för samverkan",
    "https://tillvaxtverket.se/tillvaxtverket/utlysningar/regionalfonden/2024-01-22-driv-"
    "kluster-for-samverkan-och-effektivare-nyttjande-av-digitala-losningar-i-alla-branscher"
    ".html?id=20240122123456",
)
SOURCES = (ECCP, EEN, LONG)
STEP_TOOLS = (PlanTool(ECCP.text, 1), PlanTool(NO_URL.text), PlanTool(EEN.text, 2))
QUICK_READINESS_SV = ("Ja", "Ja", "Nej", "Delvis", "Vet inte", "Nej", "Nej", "Nej", "Nej", "Nej")
QUICK_READINESS_EN = ("Yes", "Yes", "No", "Partly", "Not sure", "No", "No", "No", "No", "No")
PERCENTS = (100, 100, 0, 50, None, 0, 0, 0, 0, 0)


def _chart(titles: tuple[str, ...], lang: str) -> ReadinessChart:
    sv = lang == "sv"
    return ReadinessChart(
        title="Mognad per steg" if sv else "Readiness per step",
        labels=tuple(f"{n}. {t}" for n, t in enumerate(titles, 1)),
        percents=PERCENTS,
        threshold=70,
        current=3,
        threshold_label="redo från 70 %" if sv else "ready from 70%",
        axis_label="Mognad (%)" if sv else "Readiness (%)",
        value_format="{percent} %" if sv else "{percent}%",
    )


def swedish_plan() -> ActionPlan:
    """A Swedish quick check at step 3: three actions at step 3 (one done, one with nobody
    named yet), one at step 4, an owner with a pipe and asterisks, a "vet inte" answer."""
    step3 = (
        PlanAction(
            text="Låt medlemmarna rösta om målmarknader och planera ett studiebesök till den "
            "som får flest röster.",
            why="En kort lista håller ett litet team fokuserat och gör partnersökningen mycket "
            "enklare.",
            template="Mall för målmarknadsanalys",
            owner="Åsa Öberg / styrelsen",
            due="mars 2027",
            state="open",
            state_label="Öppen",
        ),
        PlanAction(
            text="Lista fem utländska kluster inom ert område från ECCP:s klusterkarta och bedöm "
            "hur väl de passar.",
            why="Starka kluster inom ert område är era troligaste partner och bästa "
            "jämförelseobjekt.",
            template="",
            owner="",
            due="",
            state="overdue",
            state_label="Försenad",
        ),
        PlanAction(
            text="Boka ett möte med EEN-kontoret i er region och ta med kortlistan över regioner.",
            why="EEN:s partnersökning är gratis för små och medelstora företag.",
            template="",
            owner="Anna | styrelsen *x*",
            due="februari 2027",
            state="done",
            state_label="Klar",
        ),
    )
    step4 = (
        PlanAction(
            text="Skriv en internationaliseringsstrategi på två sidor med mål för 2027–2029.",
            why="En strategi på papper gör det lätt för styrelsen att säga ja – och att följa upp.",
            template="Mall för strategi på en sida",
            owner="Erik Ståhl",
            due="juni 2027",
            state="dropped",
            state_label="Inte aktuell",
        ),
    )
    steps = []
    for number, title in enumerate(SV_TITLES, 1):
        steps.append(
            PlanStep(
                number=number,
                title=title,
                readiness=QUICK_READINESS_SV[number - 1],
                ready=number <= 2,
                current=number == 3,
                held_back=(
                    ("Har ni valt ut två eller tre målländer eller målregioner? — Nej",)
                    if number == 3
                    else ("Finns en strategi som styrelsen har ställt sig bakom? — Delvis",)
                    if number == 4
                    else ()
                ),
                actions=step3 if number == 3 else step4 if number == 4 else (),
                tools=STEP_TOOLS
                if number == 3
                else (PlanTool(LONG.text, 3),)
                if number == 4
                else (),
            )
        )
    return ActionPlan(
        lang="sv",
        title="Handlingsplan",
        cluster="Klusterföreningen Skånes Livsmedel & Måltid",
        meta="2 december 2026 · Snabbkoll",
        position="Ni är vid steg 3 av 10: Identifiera möjligheter (fasen Förbered er).",
        chart=_chart(SV_TITLES, "sv"),
        steps=tuple(steps),
        ready_when="Ni har en kort, rangordnad lista med två eller tre målregioner som "
        "medlemmarna står bakom.",
        unsure=("Har ni en budget för internationella aktiviteter i år?",),
        change="Mognaden i steg 2 har ökat från 50 % till 100 % sedan 14 oktober 2026.",
        footer="Klusterresan · Underlag till styrelsen",
        labels=SV_LABELS,
        funding=PlanStep(
            number=0,
            title="Utnyttja finansiering",
            readiness="40 %",
            ready=False,
            current=False,
            held_back=("Har ni en finansieringskarta för varje steg? — Delvis",),
            actions=(
                PlanAction(
                    text="Gör en finansieringskarta på en sida: steg, källa, sista dag.",
                    why="Då vet ni i tid var pengarna till varje aktivitet ska komma ifrån.",
                    template="Finansieringskarta",
                    owner="",
                    due="",
                    state="open",
                    state_label="Öppen",
                ),
            ),
        ),
        sources=SOURCES,
    )


def english_plan() -> ActionPlan:
    """The same quick check in English, the first assessment (no change to report)."""
    actions = (
        PlanAction(
            text="Let members vote on target markets, then plan a fact-finding visit to the "
            "top one.",
            why="A short list keeps a small team focused and makes the partner search far easier.",
            template="Target market analysis",
            owner="Jane O'Neill (board)",
            due="March 2027",
            state="open",
            state_label="Open",
        ),
        PlanAction(
            text="Book a meeting with your regional EEN office and bring your short list of "
            "regions.",
            why="EEN's partner search is free for SMEs.",
            template="",
            owner="",
            due="",
            state="open",
            state_label="Open",
        ),
    )
    steps = tuple(
        PlanStep(
            number=number,
            title=title,
            readiness=QUICK_READINESS_EN[number - 1],
            ready=number <= 2,
            current=number == 3,
            held_back=(
                ("Have you picked two or three target countries or regions? — No",)
                if number == 3
                else ()
            ),
            actions=actions if number == 3 else (),
            tools=(PlanTool(ECCP.text, 1), PlanTool(EEN.text, 2)) if number == 3 else (),
        )
        for number, title in enumerate(EN_TITLES, 1)
    )
    return ActionPlan(
        lang="en",
        title="Action plan",
        cluster="",
        meta="2 December 2026 · Quick check",
        position="You are at step 3 of 10: Identify Opportunities (phase Get ready).",
        chart=_chart(EN_TITLES, "en"),
        steps=steps,
        ready_when="You have a short, ranked list of two or three target regions that your "
        "members back.",
        unsure=(),
        change="",
        footer="Cluster Journey · For the board",
        labels=EN_LABELS,
        sources=(ECCP, EEN),
    )


LOREM_SV = (
    "Det här är en medvetet lång text som ska tvinga fram radbrytningar: styrelsen, kansliet "
    "och medlemsföretagen behöver gemensamt gå igenom vad åtgärden kräver i tid, pengar och "
    "kompetens, och vem som äger frågan när projektet väl är igång – även när någon slutar."
)


def long_plan() -> ActionPlan:
    """A full check in Swedish with every step held back and four actions at each of the ten
    steps, each with a long text: forty actions over several pages, each one numbered in its
    text ("Åtgärd 7.3") so a test can find all of them."""
    base = swedish_plan()
    percents = tuple((number * 7) % 70 for number in range(1, 11))
    steps = []
    for number, title in enumerate(SV_TITLES, 1):
        actions = tuple(
            PlanAction(
                text=f"Åtgärd {number}.{index}: {LOREM_SV}",
                why=f"Varför {number}.{index}: {LOREM_SV} {LOREM_SV}",
                template="Mall för uppföljning" if index == 1 else "",
                owner=f"Ägare {number}.{index} – Örjan Ärlig",
                due="april 2027" if index % 3 else "",
                state=("open", "overdue", "done", "dropped")[index % 4],
                state_label=("Öppen", "Försenad", "Klar", "Inte aktuell")[index % 4],
            )
            for index in range(1, 5)
        )
        steps.append(
            PlanStep(
                number=number,
                title=title,
                readiness=f"{percents[number - 1]} %",
                ready=False,
                current=number == 1,
                held_back=tuple(
                    f"Fråga {number}.{k} om något som ännu inte är på plats i klustret? — Nej"
                    for k in range(1, 4)
                ),
                actions=actions,
                tools=STEP_TOOLS,
            )
        )
    return ActionPlan(
        lang="sv",
        title="Handlingsplan",
        cluster=base.cluster,
        meta="2 december 2026 · Fullständig bedömning",
        position="Ni är vid steg 1 av 10: Varför internationalisera? (fasen Förbered er).",
        chart=replace(base.chart, percents=percents, current=1),
        steps=tuple(steps),
        ready_when=LOREM_SV,
        unsure=tuple(f"Vet inte-fråga {k}: {LOREM_SV}" for k in range(1, 6)),
        change=LOREM_SV,
        footer=base.footer,
        labels=SV_LABELS,
        sources=SOURCES[:2],
    )

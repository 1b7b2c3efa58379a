"""Rooms of participants for the projector page's one-screen checks: realistic answers in
Swedish and English, with long challenges, several steps and "from whom" texts."""

from __future__ import annotations

import random

from flows.content_model import Content
from flows.workshop.answers import ParticipantAnswers

CHALLENGES_SV = (
    "Svårt att hitta rätt partner i Tyskland",
    "Vi saknar finansiering för att delta i internationella mässor och matchmaking-event",
    "Medlemsföretagen ser inte nyttan med internationalisering ännu, särskilt de minsta",
    "Ingen i klusterteamet har tid att driva det internationella arbetet",
    "Svårt att få styrelsen att prioritera en internationell strategi",
    "Vi vet inte vilka marknader som passar våra företag bäst",
)
CHALLENGES_EN = (
    "Finding a partner in Germany takes time",
    "No budget for trade fairs and international matchmaking events this year",
    "Our SMEs do not see the value of going abroad, and the board is hesitant",
    "Hard to keep momentum after the first joint project ends",
    "We lack data on which markets fit our member companies best",
)
FROM_WHOM = (
    "Vinnova",
    "Region Skåne",
    "Tillväxtverket",
    "Business Sweden",
    "Enterprise Europe Network",
    "Almi",
    "Länsstyrelsen",
    "Our university partners",
)


def room(content: Content, size: int, seed: int = 1) -> list[ParticipantAnswers]:
    """`size` participants, about half of them Swedish; every third gives two challenges."""
    rng = random.Random(seed)
    kinds = [o.id for o in content.workshop.support_kinds]
    sources = [o.id for o in content.workshop.support_sources]
    out = []
    for n in range(size):
        lang = "sv" if n % 2 == 0 else "en"
        pool = CHALLENGES_SV if lang == "sv" else CHALLENGES_EN
        count = 2 if n % 3 == 0 else 1
        challenges = tuple(f"{rng.choice(pool)} ({n + 1}.{i + 1})" for i in range(count))
        out.append(
            ParticipantAnswers(
                step=rng.choice((1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10)),
                challenges=challenges,
                support_kinds=tuple(rng.sample(kinds, k=min(2, len(kinds)))),
                support_sources=tuple(rng.sample(sources, k=min(2, len(sources)))),
                support_from=rng.choice(FROM_WHOM) + (f" ({n})" if n % 4 == 0 else ""),
                lang=lang,
            )
        )
    return out

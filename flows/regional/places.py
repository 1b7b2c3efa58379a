"""The regions and fields a cluster can share its results under: Sweden's 21 län by their ISO
3166-2 codes, the nearest countries, and a short list of fields. Codes are stored; names are
shown in the user's language."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    code: str
    sv: str
    en: str

    def name(self, lang: str) -> str:
        return self.sv if lang == "sv" else self.en


LAN = (
    Place("SE-K", "Blekinge län", "Blekinge County"),
    Place("SE-W", "Dalarnas län", "Dalarna County"),
    Place("SE-I", "Gotlands län", "Gotland County"),
    Place("SE-X", "Gävleborgs län", "Gävleborg County"),
    Place("SE-N", "Hallands län", "Halland County"),
    Place("SE-Z", "Jämtlands län", "Jämtland County"),
    Place("SE-F", "Jönköpings län", "Jönköping County"),
    Place("SE-H", "Kalmar län", "Kalmar County"),
    Place("SE-G", "Kronobergs län", "Kronoberg County"),
    Place("SE-BD", "Norrbottens län", "Norrbotten County"),
    Place("SE-M", "Skåne län", "Skåne County"),
    Place("SE-AB", "Stockholms län", "Stockholm County"),
    Place("SE-D", "Södermanlands län", "Södermanland County"),
    Place("SE-C", "Uppsala län", "Uppsala County"),
    Place("SE-S", "Värmlands län", "Värmland County"),
    Place("SE-AC", "Västerbottens län", "Västerbotten County"),
    Place("SE-Y", "Västernorrlands län", "Västernorrland County"),
    Place("SE-U", "Västmanlands län", "Västmanland County"),
    Place("SE-O", "Västra Götalands län", "Västra Götaland County"),
    Place("SE-T", "Örebro län", "Örebro County"),
    Place("SE-E", "Östergötlands län", "Östergötland County"),
)

COUNTRIES = (
    Place("NO", "Norge", "Norway"),
    Place("DK", "Danmark", "Denmark"),
    Place("FI", "Finland", "Finland"),
    Place("IS", "Island", "Iceland"),
    Place("EE", "Estland", "Estonia"),
    Place("LV", "Lettland", "Latvia"),
    Place("LT", "Litauen", "Lithuania"),
    Place("DE", "Tyskland", "Germany"),
    Place("PL", "Polen", "Poland"),
    Place("EU", "Ett annat EU-land", "Another EU country"),
    Place("XX", "Ett annat land", "Another country"),
)

FIELDS = (
    Place("life", "Life science och hälsa", "Life sciences and health"),
    Place("digital", "IT och digitalisering", "ICT and digital"),
    Place("industry", "Tillverkning och material", "Manufacturing and materials"),
    Place("energy", "Energi och miljö", "Energy and environment"),
    Place("food", "Livsmedel och areella näringar", "Food and agriculture"),
    Place("forest", "Skog och trä", "Forest and wood"),
    Place("transport", "Transport och logistik", "Transport and logistics"),
    Place("creative", "Kreativa näringar och turism", "Creative industries and tourism"),
    Place("other", "Annat område", "Another field"),
)

PLACES = {p.code: p for p in (*LAN, *COUNTRIES)}
FIELD_BY_CODE = {f.code: f for f in FIELDS}


def find_region(text: str) -> Place | None:
    """A region from what an operator types: a code (SE-O), or a name in either language,
    with or without "län"/"County" ("Västra Götaland", "skåne")."""
    wanted = " ".join(text.casefold().split())
    for place in (*LAN, *COUNTRIES):
        names = {place.code.casefold(), place.sv.casefold(), place.en.casefold()}
        names |= {n.removesuffix(" län").removesuffix("s").strip() for n in names}
        names |= {place.en.casefold().removesuffix(" county")}
        if wanted in names or wanted.removesuffix(" län") in names:
            return place
    return None

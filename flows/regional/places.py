"""The regions and fields a cluster can share its results under: Sweden's 21 län by their ISO
3166-2 codes, the nearest countries, and a short list of fields. Codes are stored; names are
shown in the user's language."""

from __future__ import annotations

from dataclasses import dataclass

from flows.content_model import Text


@dataclass(frozen=True)
class Place:
    code: str
    names: Text  # in every language of the registry (`flows.locales`)

    def name(self, lang: str) -> str:
        return self.names.get(lang)


LAN = (
    Place("SE-K", Text(sv="Blekinge län", en="Blekinge County")),
    Place("SE-W", Text(sv="Dalarnas län", en="Dalarna County")),
    Place("SE-I", Text(sv="Gotlands län", en="Gotland County")),
    Place("SE-X", Text(sv="Gävleborgs län", en="Gävleborg County")),
    Place("SE-N", Text(sv="Hallands län", en="Halland County")),
    Place("SE-Z", Text(sv="Jämtlands län", en="Jämtland County")),
    Place("SE-F", Text(sv="Jönköpings län", en="Jönköping County")),
    Place("SE-H", Text(sv="Kalmar län", en="Kalmar County")),
    Place("SE-G", Text(sv="Kronobergs län", en="Kronoberg County")),
    Place("SE-BD", Text(sv="Norrbottens län", en="Norrbotten County")),
    Place("SE-M", Text(sv="Skåne län", en="Skåne County")),
    Place("SE-AB", Text(sv="Stockholms län", en="Stockholm County")),
    Place("SE-D", Text(sv="Södermanlands län", en="Södermanland County")),
    Place("SE-C", Text(sv="Uppsala län", en="Uppsala County")),
    Place("SE-S", Text(sv="Värmlands län", en="Värmland County")),
    Place("SE-AC", Text(sv="Västerbottens län", en="Västerbotten County")),
    Place("SE-Y", Text(sv="Västernorrlands län", en="Västernorrland County")),
    Place("SE-U", Text(sv="Västmanlands län", en="Västmanland County")),
    Place("SE-O", Text(sv="Västra Götalands län", en="Västra Götaland County")),
    Place("SE-T", Text(sv="Örebro län", en="Örebro County")),
    Place("SE-E", Text(sv="Östergötlands län", en="Östergötland County")),
)

COUNTRIES = (
    Place("NO", Text(sv="Norge", en="Norway")),
    Place("DK", Text(sv="Danmark", en="Denmark")),
    Place("FI", Text(sv="Finland", en="Finland")),
    Place("IS", Text(sv="Island", en="Iceland")),
    Place("EE", Text(sv="Estland", en="Estonia")),
    Place("LV", Text(sv="Lettland", en="Latvia")),
    Place("LT", Text(sv="Litauen", en="Lithuania")),
    Place("DE", Text(sv="Tyskland", en="Germany")),
    Place("PL", Text(sv="Polen", en="Poland")),
    Place("EU", Text(sv="Ett annat EU-land", en="Another EU country")),
    Place("XX", Text(sv="Ett annat land", en="Another country")),
)

FIELDS = (
    Place("life", Text(sv="Life science och hälsa", en="Life sciences and health")),
    Place("digital", Text(sv="IT och digitalisering", en="ICT and digital")),
    Place("industry", Text(sv="Tillverkning och material", en="Manufacturing and materials")),
    Place("energy", Text(sv="Energi och miljö", en="Energy and environment")),
    Place("food", Text(sv="Livsmedel och areella näringar", en="Food and agriculture")),
    Place("forest", Text(sv="Skog och trä", en="Forest and wood")),
    Place("transport", Text(sv="Transport och logistik", en="Transport and logistics")),
    Place(
        "creative", Text(sv="Kreativa näringar och turism", en="Creative industries and tourism")
    ),
    Place("other", Text(sv="Annat område", en="Another field")),
)

PLACES = {p.code: p for p in (*LAN, *COUNTRIES)}
FIELD_BY_CODE = {f.code: f for f in FIELDS}


def find_region(text: str) -> Place | None:
    """A region from what an operator types: a code (SE-O), or a name in either language,
    with or without "län"/"County" ("Västra Götaland", "skåne")."""
    wanted = " ".join(text.casefold().split())
    for place in (*LAN, *COUNTRIES):
        names = {place.code.casefold(), *(n.casefold() for n in place.names.by_lang.values())}
        names |= {n.removesuffix(" län").removesuffix("s").strip() for n in names}
        names |= {n.removesuffix(" county") for n in names}
        if wanted in names or wanted.removesuffix(" län") in names:
            return place
    return None

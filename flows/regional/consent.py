"""Consent to the regional picture, asked once and plainly after a summary: share the result
anonymously, under a region (a Swedish län or a country) and the cluster's field; withdrawn
with /privacy, erased with /delete. Until then nothing leaves the user's own records.

Also the summary's peers line (`peers.peers_line`), which the summary takes as data."""

from __future__ import annotations

from flows.content_model import Content
from flows.events import ConsentGiven, ConsentWithdrawn
from flows.i18n import _, current_language
from flows.messages import Choice, Reply
from flows.regional.peers import step_line
from flows.regional.places import COUNTRIES, FIELD_BY_CODE, FIELDS, LAN, PLACES
from flows.turn import Turn

KIND = "share"


def _where(region: str, field: str) -> str:
    lang = current_language()
    place = PLACES.get(region)
    area = FIELD_BY_CODE.get(field)
    return ", ".join(x.name(lang) for x in (place, area) if x is not None)


class Consent:
    """The question, its answers, and what /privacy says of it."""

    def __init__(self, content: Content) -> None:
        self.content = content

    # --- after a summary ------------------------------------------------------------------

    async def peers_line(self, turn: Turn, position: int | None) -> str:
        """How the consenting clusters at the user's step do, for their summary ("" for
        nothing to say)."""
        if position is None or position >= len(self.content.steps):
            return ""  # at the journey's end: no next step to compare
        peers = await turn.store.regional.step_peers(turn.user_id, position)
        return step_line(self.content, position, peers)

    async def ask_once(self, turn: Turn) -> None:
        """After a summary of the user's own: ask for consent, once, unless it is given."""
        regional = turn.conversation.regional
        if not regional.consent_asked and await turn.store.regional.consent(turn.user_id) is None:
            regional.consent_asked = True
            turn.say(self.question())

    @staticmethod
    def question() -> Reply:
        text = "\n\n".join(
            [
                _("Share your result anonymously for the regional picture?"),
                _(
                    "The region's cluster and innovation officers would see, without your name "
                    "or your cluster's, where the clusters of your region stand on the journey "
                    "and what they lack, and clusters at your step would see how their peers "
                    "do. No figure is ever shown from fewer than five clusters."
                ),
                _("You can withdraw it at any time with /privacy."),
            ]
        )
        return Reply(
            text,
            (
                Choice(f"{KIND}:yes", _("Yes, share anonymously")),
                Choice(f"{KIND}:no", _("No, thanks")),
            ),
            rows=(2,),
        )

    # --- the answers ------------------------------------------------------------------------

    async def choice(self, turn: Turn, value: str) -> bool:
        action, _sep, code = value.partition(":")
        lang = current_language()
        if action == "no":
            turn.say(Reply(_("Fine: nothing is shared. /privacy can change that later.")))
            return True
        if action in ("yes", "sweden"):
            turn.say(
                Reply(
                    _("Which region is your cluster in?"),
                    (
                        *(Choice(f"{KIND}:region:{p.code}", p.name(lang)) for p in LAN),
                        Choice(f"{KIND}:abroad", _("Outside Sweden")),
                    ),
                    rows=(3,) * 7 + (1,),
                )
            )
            return True
        if action == "abroad":
            turn.say(
                Reply(
                    _("Which country is your cluster in?"),
                    (
                        *(Choice(f"{KIND}:region:{p.code}", p.name(lang)) for p in COUNTRIES),
                        Choice(f"{KIND}:sweden", _("← Swedish regions")),
                    ),
                    rows=(3, 3, 3, 2, 1),
                )
            )
            return True
        if action == "region" and code in PLACES:
            turn.say(
                Reply(
                    _("And your cluster's field?"),
                    tuple(Choice(f"{KIND}:field:{code}:{f.code}", f.name(lang)) for f in FIELDS),
                    rows=(2, 2, 2, 2, 1),
                )
            )
            return True
        region, _sep, field = code.partition(":")
        if action == "field" and region in PLACES and field in FIELD_BY_CODE:
            await turn.store.regional.give(turn.user_id, region, field, turn.now)
            turn.record(ConsentGiven(region, field))
            turn.conversation.regional.consent_asked = True
            turn.say(
                Reply(
                    _(
                        "Thank you. Your results are shared without your name ({where}). "
                        "/privacy shows it and withdraws it."
                    ).format(where=_where(region, field))
                )
            )
            return True
        if action == "withdraw":
            gone = await turn.store.regional.withdraw(turn.user_id)
            if gone:
                turn.record(ConsentWithdrawn())
            turn.say(
                Reply(
                    _("Withdrawn: your results are no longer part of the regional picture.")
                    if gone
                    else _("Nothing was shared.")
                )
            )
            return True
        if action == "ask":
            turn.say(self.question())
            return True
        return False

    # --- in /privacy --------------------------------------------------------------------------

    async def privacy_reply(self, turn: Turn) -> Reply:
        consent = await turn.store.regional.consent(turn.user_id)
        if consent is None:
            return Reply(
                _("The regional picture: you share nothing."),
                (Choice(f"{KIND}:ask", _("Share anonymously…")),),
            )
        return Reply(
            _(
                "The regional picture: you share your own self-assessments anonymously "
                "({where}). Only figures from at least five clusters are ever shown."
            ).format(where=_where(consent.region, consent.field)),
            (Choice(f"{KIND}:withdraw", _("Withdraw my consent")),),
        )

"""The regional view: what a region's consenting clusters need, for the cluster or innovation
officer an operator gave an observer link (`cluster-journey admin observer`). Filterable by
region (for an all-regions link) and field, in Swedish or English, with a CSV export of the
same figures. A wrong or revoked link gets a plain 404; what may be shown is decided by the view
(`flows.regional.view`, `flows.regional.disclosure`)."""

from __future__ import annotations

from urllib.parse import urlencode

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from bot.render.tables import csv_bytes
from bot.storage import Storage
from bot.storage.regional import Observer, RegionalStore
from bot.web import access
from bot.web.responses import ASSET_VERSION, NOT_FOUND
from flows.content_model import Content
from flows.i18n import use_language
from flows.locales import SWEDISH, codes, others
from flows.regional.places import FIELD_BY_CODE, FIELDS, PLACES
from flows.regional.view import Picture, RegionalView, table


class RegionalPages:
    def __init__(
        self, storage: Storage, content: Content, templates: Environment, links: access.PageLinks
    ) -> None:
        self.storage, self.content, self.templates, self.links = storage, content, templates, links
        self.regional = RegionalStore(storage)
        # per link scope (a region, or None: all), the picture last drawn and what it was
        # drawn from; kept while the counts read are the same
        self._pictures: dict[str | None, tuple[object, Picture]] = {}

    def routes(self) -> list[BaseRoute]:
        return [
            Route(access.REGIONAL_PATH + "{token}", self.page, methods=["GET"]),
            Route(access.REGIONAL_PATH + "{token}/export.csv", self.export, methods=["GET"]),
        ]

    async def _observer(self, token: str) -> Observer | None:
        parsed = access.parse(await self.links.secret(self.storage), token, access.OBSERVER)
        if parsed is None:
            return None
        found = await self.regional.observer(parsed[0])
        return found if found is not None and not found.revoked else None

    @staticmethod
    def _selection(request: Request, observer: Observer) -> tuple[str, str | None, str | None]:
        lang = request.query_params.get("lang", "")
        lang = lang if lang in codes() else SWEDISH.code  # regions in Sweden read Swedish first
        region = observer.region or (request.query_params.get("region") or None)
        region = region if region in PLACES else None
        field = request.query_params.get("field") or None
        return lang, region, field if field in FIELD_BY_CODE else None

    async def _view(
        self, observer: Observer, region: str | None, field: str | None
    ) -> RegionalView:
        """The selection's view, protected together with every other selection the link can
        see (`flows.regional.disclosure`): all of its counts are read, not the selection's.
        The protected picture is drawn again only when what it is drawn from changed (on any
        replica: the counts are read every time, a row per region and field)."""
        counts = await self.regional.shared_counts(observer.region)
        support = await self.regional.shared_support(observer.region)
        source = (counts.rows, tuple(support))
        kept = self._pictures.get(observer.region)
        if kept is None or kept[0] != source:
            picture = Picture.of(self.content, counts.cells(), support, observer.region)
            self._pictures[observer.region] = kept = (source, picture)
        return kept[1].view((region, field))

    async def page(self, request: Request) -> Response:
        token = request.path_params["token"]
        observer = await self._observer(token)
        if observer is None:
            return NOT_FOUND
        lang, region, field = self._selection(request, observer)
        query = {k: v for k, v in (("region", region), ("field", field)) if v}
        base = access.REGIONAL_PATH + token
        with use_language(lang):
            view = await self._view(observer, region, field)
            scope = PLACES[region].name(lang) if region else view.labels["all_regions"]
            html = self.templates.get_template("regional.html").render(
                view=view,
                scope=scope,
                region=region or "",
                field=field or "",
                regions=[]
                if observer.region
                else [(p.code, p.name(lang)) for p in PLACES.values()],
                fields=[(f.code, f.name(lang)) for f in FIELDS],
                export_url=f"{base}/export.csv?" + urlencode({**query, "lang": lang}),
                other_langs=[
                    (o.code, o.switch, f"{base}?" + urlencode({**query, "lang": o.code}))
                    for o in others(lang)
                ],
                asset_version=ASSET_VERSION,
            )
        return HTMLResponse(html)

    async def export(self, request: Request) -> Response:
        observer = await self._observer(request.path_params["token"])
        if observer is None:
            return NOT_FOUND
        lang, region, field = self._selection(request, observer)
        with use_language(lang):
            view = await self._view(observer, region, field)
        return Response(
            csv_bytes(table(view)),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="regional-picture.csv"',
            },
        )

"""The regional picture's summary table (`regional_clusters`, revision 0010), on both
databases: kept in the transactions that change it, so the peers line and the regional view
read one row a cluster and find exactly what a scan of every assessment finds; filled from the
assessments already stored when a database is upgraded."""

from __future__ import annotations

import json
import time

import sqlalchemy as sa

from bot.events import EventRunner
from bot.storage import Storage, migrate
from bot.storage.regional import RegionalStore
from bot.storage.schema import assessments, regional_clusters, regional_consents
from flows.messages import Event
from flows.router import Router
from tests.helpers import quick_check

SHARE = ("share:yes", "share:region:SE-O", "share:field:SE-O:forest")


async def share(runner: EventRunner, user: str) -> None:
    for choice in SHARE:
        await runner.handle(user, Event("choice", choice))


async def scanned(storage: Storage) -> list[tuple[str, int | None, int | None, int, dict]]:
    """What the summary must say, read the slow way: every consenting user's own assessments."""
    query = (
        sa.select(
            regional_consents.c.user_id,
            assessments.c.position,
            assessments.c.answers,
        )
        .join(assessments, assessments.c.user_id == regional_consents.c.user_id)
        .where(assessments.c.team_id.is_(None))
        .order_by(regional_consents.c.user_id, assessments.c.completed, assessments.c.id)
    )
    async with storage.transaction() as conn:
        rows = (await conn.execute(query)).all()
    found: dict[str, list] = {}
    for row in rows:
        found.setdefault(row.user_id, []).append(row)
    return [
        (
            user,
            own[0].position,
            own[-1].position,
            len(own),
            {q: v[0] for q, v in json.loads(own[-1].answers).items()},
        )
        for user, own in sorted(found.items())
    ]


async def summarised(storage: Storage) -> list[tuple[str, int | None, int | None, int, dict]]:
    async with storage.transaction() as conn:
        rows = (await conn.execute(sa.select(regional_clusters))).all()
    return sorted(
        (r.user_id, r.first_position, r.position, r.assessed, json.loads(r.answers)) for r in rows
    )


async def test_the_summary_follows_assessments_and_consents(content, database):
    storage = await Storage.open(database.url)
    try:
        runner = EventRunner(Router(content), storage)
        await quick_check(runner, "cli:a", "no")  # at step 1, before sharing
        await share(runner, "cli:a")  # consent: the row is made from what is stored
        assert [r[:4] for r in await summarised(storage)] == [("cli:a", 1, 1, 1)]
        await quick_check(runner, "cli:a", "yes")  # every step ready
        await share(runner, "cli:b")  # shares before any assessment: no row yet
        assert [r[0] for r in await summarised(storage)] == ["cli:a"]
        await quick_check(runner, "cli:b", "partly")
        await quick_check(runner, "cli:c", "no")  # never shares
        assert await summarised(storage) == await scanned(storage)
        assert [r[:4] for r in await summarised(storage)] == [
            ("cli:a", 1, None, 2),
            ("cli:b", 1, 1, 1),
        ]
        regional = RegionalStore(storage)
        peers = await regional.peers("cli:a", 1)
        assert [c.assessments[-1].position for c in peers] == [1]  # cli:b, not cli:a itself
        every = await regional.shared_clusters()
        assert [[a.position for a in c.assessments] for c in every] == [[1, None], [1]]
        await runner.handle("cli:a", Event("choice", "share:withdraw"))
        assert [r[0] for r in await summarised(storage)] == ["cli:b"]
        assert await summarised(storage) == await scanned(storage)
    finally:
        await storage.close()


async def test_the_upgrade_fills_the_summary_from_stored_assessments(content, database):
    """A database at 0007 with consenting users' assessments (one with a team's beside its
    own) gets one row per consenting cluster when it is upgraded to 0010."""
    from alembic import command

    storage = Storage.create(database.url)
    now = time.time()

    def at_0007_with_data(connection: sa.Connection) -> None:
        command.upgrade(migrate._config(connection), "0007")
        for user in ("cli:a", "cli:b", "cli:c"):
            connection.execute(
                sa.text(
                    "INSERT INTO users (id, lang, timezone, state, created, updated)"
                    " VALUES (:id, 'sv', 'Europe/Stockholm', '{}', :now, :now)"
                ),
                {"id": user, "now": now},
            )
        for user, position, completed, team in (
            ("cli:a", 2, now - 30, None),
            ("cli:a", 4, now - 20, None),
            ("cli:a", 1, now - 10, 7),  # a team's: not the cluster's own
            ("cli:b", 3, now - 5, None),
            ("cli:c", 1, now - 5, None),  # did not consent
        ):
            connection.execute(
                sa.text(
                    "INSERT INTO assessments (user_id, mode, started, completed, answers,"
                    " percents, position, team_id) VALUES (:user, 'quick', :started,"
                    " :completed, :answers, '[100, 50]', :position, :team)"
                ),
                {
                    "user": user,
                    "started": completed - 60,
                    "completed": completed,
                    "answers": json.dumps({"q1": ["no", completed]}),
                    "position": position,
                    "team": team,
                },
            )
        for user in ("cli:a", "cli:b"):
            connection.execute(
                sa.text(
                    "INSERT INTO regional_consents (user_id, region, field, consented)"
                    " VALUES (:user, 'SE-M', 'food', :now)"
                ),
                {"user": user, "now": now},
            )

    try:
        async with storage.engine.begin() as conn:
            await conn.run_sync(at_0007_with_data)
        await storage.prepare()  # to head: 0010 and its backfill
        assert [r[:4] for r in await summarised(storage)] == [
            ("cli:a", 2, 4, 2),
            ("cli:b", 3, 3, 1),
        ]
        assert await summarised(storage) == await scanned(storage)
        a, _b = await RegionalStore(storage).shared_clusters(region="SE-M")
        counts = await RegionalStore(storage).step_peers("cli:x", 3)  # cli:b alone at step 3
        assert counts.clusters == 1 and counts.answers == {"q1": {"no": 1}}
        assert a.assessments[-1].answers == {"q1": "no"} and a.assessments[-1].percents == (100, 50)
    finally:
        await storage.close()


async def test_the_peers_lines_counts_follow_every_change(content, database):
    """Seven clusters at step 1; rechecks, a withdrawal and an erasure: the counts the peers
    line reads are always those of the clusters' latest assessments, the asker left out, and
    the line is the one the clusters themselves give."""
    from bot.storage.privacy import PrivacyStore
    from flows.i18n import use_language
    from flows.regional.peers import peers_line, step_line
    from flows.regional.port import StepPeers

    storage = await Storage.open(database.url)
    try:
        runner = EventRunner(Router(content), storage)
        regional = RegionalStore(storage)
        users = [f"cli:{n}" for n in range(7)]
        for user in users:
            await quick_check(runner, user, "no")
            await share(runner, user)

        async def check(asker: str) -> StepPeers:
            counted = await regional.step_peers(asker, 1)
            listed = await regional.peers(asker, 1)
            assert counted == StepPeers.of(listed, 1)
            with use_language("en"):
                assert step_line(content, 1, counted) == peers_line(content, 1, listed)
            return counted

        assert (await check("cli:0")).clusters == 6
        assert (await check("cli:x")).clusters == 7  # someone not sharing sees all seven
        await quick_check(runner, "cli:1", "yes")  # moves on: no longer at step 1
        await quick_check(runner, "cli:2", "no")  # a recheck at the same step
        assert (await check("cli:0")).clusters == 5
        await runner.handle("cli:3", Event("choice", "share:withdraw"))
        await PrivacyStore(storage).erase("cli:4")
        assert (await check("cli:0")).clusters == 3
        with use_language("en"):
            assert step_line(content, 1, await check("cli:0")) == ""  # fewer than five
        await share(runner, "cli:3")  # shares again: counted again
        assert (await check("cli:0")).clusters == 4
        async with storage.transaction() as conn:
            stray = await conn.execute(sa.text("SELECT count(*) FROM regional_answers"))
            assert stray.scalar() > 0
            negative = await conn.execute(
                sa.text("SELECT count(*) FROM regional_answers WHERE clusters < 0")
            )
            assert negative.scalar() == 0
    finally:
        await storage.close()


async def counted(storage: Storage) -> dict:
    """The counts per region and field as stored, and as the clusters' own rows give them."""
    from flows.regional.port import ClusterCounts

    regional = RegionalStore(storage)
    stored = {(c.region, c.field): c for c in (await regional.shared_counts()).cells()}
    assert stored == ClusterCounts.of(await regional.shared_clusters())
    assert (await regional.shared_counts("SE-M")).cells() == [
        c for key, c in sorted(stored.items()) if key[0] == "SE-M"
    ]
    return stored


async def test_the_counts_per_region_and_field_follow_every_change(content, database):
    """What the regional view reads (`regional_cells`, revision 0011) is always the clusters'
    rows counted: through checks and rechecks, a consent moved to another region and field, a
    withdrawal and an erasure; a region and field that loses its last cluster is gone."""
    from bot.storage.privacy import PrivacyStore

    storage = await Storage.open(database.url)
    try:
        runner = EventRunner(Router(content), storage)
        for n, answer in enumerate(("no", "partly", "yes", "unsure", "no")):
            await quick_check(runner, f"cli:{n}", answer)
            await share(runner, f"cli:{n}")
        first = await counted(storage)
        assert list(first) == [("SE-O", "forest")] and first[("SE-O", "forest")].clusters == 5
        await quick_check(runner, "cli:0", "yes")  # moves from step 1 to every step ready
        await quick_check(runner, "cli:1", "partly")  # the same step again
        moved = (await counted(storage))[("SE-O", "forest")].moves
        assert moved == {(1, None): 1, (1, 1): 1}
        for choice in ("share:yes", "share:region:SE-M", "share:field:SE-M:food"):
            await runner.handle("cli:2", Event("choice", choice))
        assert {k: c.clusters for k, c in (await counted(storage)).items()} == {
            ("SE-M", "food"): 1,
            ("SE-O", "forest"): 4,
        }
        await runner.handle("cli:2", Event("choice", "share:withdraw"))
        await PrivacyStore(storage).erase("cli:3")
        assert {k: c.clusters for k, c in (await counted(storage)).items()} == {
            ("SE-O", "forest"): 3
        }
    finally:
        await storage.close()


async def test_the_upgrade_counts_the_clusters_already_summarised(content, database):
    """A database at 0010 with consenting clusters gets their counts per region and field when
    it is upgraded to 0011, the same as they are kept from then on."""
    from alembic import command

    storage = await Storage.open(database.url)
    try:
        runner = EventRunner(Router(content), storage)
        for n, answer in enumerate(("no", "partly", "yes")):
            await quick_check(runner, f"cli:{n}", answer)
            await share(runner, f"cli:{n}")
        await quick_check(runner, "cli:0", "yes")
        kept = await counted(storage)

        def back_and_up(connection: sa.Connection) -> None:
            command.downgrade(migrate._config(connection), "0010")
            assert not sa.inspect(connection).has_table("regional_cells")
            command.upgrade(migrate._config(connection), "0011")

        async with storage.engine.begin() as conn:
            await conn.run_sync(back_and_up)
        assert await counted(storage) == kept
    finally:
        await storage.close()


async def test_the_regional_page_follows_a_new_cluster_at_once(content, database):
    """The page keeps its protected picture only while the counts read the same: a sixth
    cluster sharing shows on the next request of the same link (and the same server)."""
    import httpx

    from bot.web import access, asgi
    from bot.web.pages import Pages

    storage = await Storage.open(database.url)
    try:
        runner = EventRunner(Router(content), storage)
        for n in range(5):
            await quick_check(runner, f"cli:{n}", "no")
            await share(runner, f"cli:{n}")
        observer = await RegionalStore(storage).create_observer(None, "all", 0.0)
        secret = await access.PageLinks("").secret(storage)
        link = "/r/" + access.sign(secret, observer.id, 1, access.OBSERVER) + "?lang=en"
        app = asgi.build(storage, Pages(storage, content))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://r") as client:
            assert '<strong id="clusters">5</strong>' in (await client.get(link)).text
            assert '<strong id="clusters">5</strong>' in (await client.get(link)).text
            await quick_check(runner, "cli:5", "no")
            await share(runner, "cli:5")
            assert '<strong id="clusters">6</strong>' in (await client.get(link)).text
    finally:
        await storage.close()

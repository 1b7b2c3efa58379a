"""Word that workshops changed, sent once the change is committed, with each workshop's row as
the change left it, so that the projector pages show an answer the moment it is stored instead
of at their next look at the database (`bot.web.poller`). The workshop store sends its own
process's changes (`bot.storage.workshops`); on PostgreSQL the listener hands on the other
replicas' (`bot.storage.notify`). What goes unannounced (an erasure's changes, SQLite
replicas) reaches the pages with their look, once a second."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flows.workshop.port import WorkshopInfo

log = logging.getLogger(__name__)
Listener = Callable[[WorkshopInfo], None]


class WorkshopChanges:
    """The listeners of one database's workshop changes in this process."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Hear of every committed change from now on; call the returned function to stop."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def send(self, changed: list[WorkshopInfo]) -> None:
        for workshop in changed:
            for listener in list(self._listeners):
                try:
                    listener(workshop)
                except Exception:  # one listener's fault is not the others' nor the writer's
                    log.exception("a workshop change listener failed")

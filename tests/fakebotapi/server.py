"""The fake Bot API server: an aiohttp app on 127.0.0.1 that a real python-telegram-bot client
talks to as if it were api.telegram.org.

Every request is decoded and checked against the spec (`spec.py`); a call Telegram would reject
lands in `violations` and gets Telegram's 400. Valid calls go to the method handlers
(`methods.py`). Tests make people act (`people.py`), wait for what the bot does (`wait_for`,
`settle`), read what it sent (`sent`, `texts`, `buttons`) and inject failures (`fail_next`,
`block_user`, `flood_limits`).
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import itertools
import json
import socket
import time
import traceback
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from telegram import Bot
from telegram.ext import ApplicationBuilder
from telegram.request import HTTPXRequest

from tests.fakebotapi.flood import FloodControl
from tests.fakebotapi.methods import POLL_CONFLICT, ApiError, BotApiMethods
from tests.fakebotapi.people import FakeGroup, FakeUser
from tests.fakebotapi.spec import SPEC_PATH, UploadedFile, load_spec

BOT_ID = 42
BOT_USERNAME = "cluster_journey_test_bot"
DEFAULT_TOKEN = f"{BOT_ID}:AAFakeTokenForLocalTests_0123456789abc"

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: POLL_CONFLICT,
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class FakeBotApi(BotApiMethods):
    """A fake Telegram Bot API server validating every call against the spec.

    Use ``async with FakeBotApi() as api:`` (or ``await api.start()`` / ``await api.stop()``)
    and build the bot with ``base_url=api.base_url`` and ``token=api.token``.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_id: int = BOT_ID,
        bot_username: str = BOT_USERNAME,
        bot_name: str = "Cluster Journey (test)",
        check_markup: bool = True,
        spec_path: Path = SPEC_PATH,
    ) -> None:
        self.spec = load_spec(spec_path)
        self.token = token or DEFAULT_TOKEN.replace(str(BOT_ID), str(bot_id), 1)
        self._require_token = token is not None
        self.check_markup = check_markup
        self.bot_user: dict[str, Any] = {
            "id": bot_id, "is_bot": True, "first_name": bot_name, "username": bot_username,
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False,
            "has_main_web_app": False,
        }  # fmt: skip
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.call_times: list[float] = []  # time.time() of each call in `calls`
        self.violations: list[str] = []
        self.errors: list[tuple[str, int, str]] = []
        self.internal_errors: list[str] = []
        self.updates: list[dict] = []
        self.files: dict[str, UploadedFile | None] = {}
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.rejected_429 = 0
        self.webhook_url = ""
        self._chats: dict[int, dict[str, Any]] = {}
        self._history: dict[int, list[dict[str, Any]]] = {}
        self._last_message_id: dict[int, int] = {}
        self._queries: dict[str, dict[str, Any]] = {}
        self._queue: list[dict[str, Any]] = []  # {"update": ..., "delivered": bool}
        self._next_update_id = 1000
        self.busy: list[Callable[[], bool]] = []  # bots in this process that say they work
        self._allowed_updates: list[str] | None = None
        self._wakeup = asyncio.Event()
        self._poll_generation = 0
        self._faults: dict[str, deque[tuple[int, str, dict | None]]] = {}
        self._blocked: set[int] = set()
        self._flood: FloodControl | None = None
        self._last_activity = time.monotonic()
        self._counter = itertools.count(1)
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> FakeBotApi:
        """Serve on 127.0.0.1 on a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self._closing = False
        return self

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        self._closing = True
        self._wake()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """PTB's ``base_url``: ``http://127.0.0.1:<port>/bot``."""
        if not self._port:
            raise RuntimeError("FakeBotApi is not started")
        return f"http://127.0.0.1:{self._port}/bot"

    # -- PTB helpers -------------------------------------------------------------------------

    def ptb_request(self, **kwargs: Any) -> HTTPXRequest:
        """A ``telegram.request.HTTPXRequest`` for this plain-HTTP server; it skips loading CA
        certificates, which saves ~0.1 s per client."""
        return HTTPXRequest(httpx_kwargs={"verify": False}, **kwargs)

    def make_bot(self) -> Bot:
        """A ``telegram.Bot`` talking to this server (use ``async with``)."""
        return Bot(self.token, base_url=self.base_url, request=self.ptb_request(),
                   get_updates_request=self.ptb_request())  # fmt: skip

    def application_builder(self) -> ApplicationBuilder:
        """A ``telegram.ext.ApplicationBuilder`` preset with token, base_url and requests."""
        builder = ApplicationBuilder().token(self.token).base_url(self.base_url)
        return builder.request(self.ptb_request()).get_updates_request(self.ptb_request())

    # -- recorded state ------------------------------------------------------------------------

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """The parameters of every call of one method, in order."""
        method = self.spec.canonical(method)
        return [params for name, params in self.calls if name == method]

    def history(self, chat_id: int) -> list[dict[str, Any]]:
        """All messages currently in a chat (the bot's and the users'), oldest first."""
        return list(self._history.get(chat_id, []))

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages currently in a chat (edits applied, deleted ones gone)."""
        return [r for r in self._history.get(chat_id, []) if r["from_bot"]]

    def texts(self, chat_id: int) -> list[str]:
        """Text or caption of each of the bot's messages in a chat."""
        return [r.get("text") or r.get("caption") or "" for r in self.sent(chat_id)]

    def last_message(self, chat_id: int) -> dict[str, Any] | None:
        """The bot's latest message in a chat, or None."""
        sent = self.sent(chat_id)
        return sent[-1] if sent else None

    def buttons(self, chat_id: int, message_id: int | None = None) -> list[tuple[str, str | None]]:
        """(text, callback_data) of the inline buttons of the latest bot message with a keyboard
        (or of message ``message_id``)."""
        for record in reversed(self.sent(chat_id)):
            if message_id is not None and record["message_id"] != message_id:
                continue
            rows = (record.get("reply_markup") or {}).get("inline_keyboard")
            if rows:
                return [(b.get("text", ""), b.get("callback_data")) for row in rows for b in row]
        return []

    def unanswered_callbacks(self) -> list[str]:
        """Ids of callback queries the bot has not answered."""
        return [qid for qid, q in self._queries.items() if not q["answered"]]

    def my_commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        """Commands stored by setMyCommands for a scope (default scope) and language."""
        params = {"scope": scope, "language_code": language_code}
        return self.commands.get(self._scope_key(params), [])

    @property
    def pending_updates(self) -> list[dict]:
        """Updates the bot has not confirmed yet."""
        return [entry["update"] for entry in self._queue]

    # -- simulation ----------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Anna",
        language_code: str | None = "sv",
        *,
        last_name: str | None = None,
        username: str | None = None,
    ) -> FakeUser:
        """A simulated user; their private chat has ``chat_id == user_id``."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = FakeUser(self, user_id, first_name, language_code, last_name, username)
        chat = {"id": user_id, "type": "private", "first_name": first_name}
        chat.update({k: v for k, v in (("last_name", last_name), ("username", username)) if v})
        self._chats[user_id] = chat
        return user

    def group(self, chat_id: int = -1001234567890, title: str = "Test group") -> FakeGroup:
        """A simulated supergroup (negative chat id)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        self._chats[chat_id] = {"id": chat_id, "type": "supergroup", "title": title}
        return FakeGroup(self, chat_id)

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (an ``update_id`` is assigned when missing; duplicates allowed)."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        if update["update_id"] >= self._next_update_id:
            self._next_update_id = update["update_id"] + 1
        self.updates.append(update)
        self._adopt(update)
        self._queue.append({"update": update, "delivered": False})
        self._wake()
        return update

    def forge_press(self, user_id: int, data: str) -> dict[str, Any]:
        """A press with any `data` on the bot's latest message in the user's private chat, as a
        forged or stale button would send it; the server knows the query, so the bot may answer
        it. Returns the queued callback_query Update."""
        record = self.last_message(user_id)
        assert record is not None
        query_id = f"forged-{next(self._counter)}"
        self._queries[query_id] = {
            "answered": False, "chat_id": user_id, "message_id": record["message_id"],
            "data": data, "user_id": user_id,
        }  # fmt: skip
        mallory = {"id": user_id, "is_bot": False, "first_name": "Mallory", "language_code": "en"}
        query = {"id": query_id, "from": mallory, "message": copy.deepcopy(record["message"]),
                 "chat_instance": "1", "data": data}  # fmt: skip
        return self.push_update({"callback_query": query})

    def restart_update_ids(self, start: int) -> None:
        """As after the bot moves to another Bot API server: ids count from `start` again."""
        self._next_update_id = start

    def hand_over(self, update_id: int) -> None:
        """The test delivered this update itself, to the bot's webhook (as Telegram does in
        webhook mode): it is no longer pending."""
        self._queue = [e for e in self._queue if e["update"].get("update_id") != update_id]

    def _adopt(self, update: dict[str, Any]) -> None:
        """Make messages of raw updates known, so the bot can reply to or edit them."""
        message = update.get("message") or update.get("edited_message")
        if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
            return
        chat_id, message_id = message["chat"].get("id"), message.get("message_id")
        if not isinstance(chat_id, int) or not isinstance(message_id, int):
            return
        self._chats.setdefault(chat_id, message["chat"])
        if self._find(chat_id, message_id) is None:
            record = {"method": "user", "from_bot": False, "chat_id": chat_id,
                      "message_id": message_id, "date": message.get("date", 0),
                      "text": message.get("text"), "message": copy.deepcopy(message)}  # fmt: skip
            self._history.setdefault(chat_id, []).append(record)
            last = self._last_message_id.get(chat_id, 0)
            self._last_message_id[chat_id] = max(last, message_id)

    def _push_built(self, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, **payload}
        for problem in self.spec.check(update, ["Update"], "update"):
            self.internal_errors.append(f"built update: {problem}")
        return self.push_update(update)

    def _user_message(
        self,
        chat_id: int,
        user: FakeUser,
        text: str,
        entities: list[dict] | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        record: dict[str, Any] = {
            "method": "user", "from_bot": False, "from_user": user.id, "chat_id": chat_id,
            "message_id": self._new_message_id(chat_id), "date": int(time.time()),
            "text": text, "plain_text": text, "entities": entities or [],
        }  # fmt: skip
        if reply_to is not None:
            record["reply_to"] = self._find(chat_id, reply_to)
        self._store(record, user=user)
        return self._push_built({"message": copy.deepcopy(record["message"])})

    def _press(
        self, chat_id: int, user: FakeUser, data: str, message_id: int | None
    ) -> dict[str, Any]:
        for record in reversed(self.sent(chat_id)):
            if message_id is not None and record["message_id"] != message_id:
                continue
            rows = (record.get("reply_markup") or {}).get("inline_keyboard") or []
            if any(b.get("callback_data") == data for row in rows for b in row):
                break
        else:
            where = f"message {message_id}" if message_id is not None else "any bot message"
            raise AssertionError(
                f"no button with callback_data {data!r} on {where} in chat {chat_id}; "
                f"latest buttons: {self.buttons(chat_id)}"
            )
        query_id = str(4_000_000_000 + next(self._counter))
        self._queries[query_id] = {
            "answered": False, "chat_id": chat_id, "message_id": record["message_id"],
            "data": data, "user_id": user.id,
        }  # fmt: skip
        query = {
            "id": query_id, "from": user.json(), "message": copy.deepcopy(record["message"]),
            "chat_instance": str(abs(hash((chat_id, BOT_ID))) % 10**18), "data": data,
        }  # fmt: skip
        return self._push_built({"callback_query": query})

    # -- fault injection -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        retry_after: int = 3,
        count: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with an error (429: flood wait)."""
        parameters = None
        if error_code == 429:
            description = description or f"Too Many Requests: retry after {retry_after}"
            parameters = {"retry_after": retry_after}
        description = description or _DEFAULT_DESCRIPTIONS.get(error_code, "Injected failure")
        queue = self._faults.setdefault(self.spec.canonical(method), deque())
        queue.extend([(error_code, description, parameters)] * count)

    def block_user(self, chat_id: int) -> None:
        """Sends to this chat get 403 (the user blocked the bot / the bot was kicked)."""
        self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        """Undo :meth:`block_user`."""
        self._blocked.discard(chat_id)

    def flood_limits(
        self,
        per_chat_per_sec: float | None = 1.0,
        global_per_sec: float | None = 30.0,
        *,
        per_chat_burst: float = 1,
        global_burst: float | None = None,
    ) -> None:
        """Token-bucket flood control for sends/edits (None disables a limit); a call over the
        limit gets 429 with retry_after and counts in ``rejected_429``."""
        self._flood = FloodControl(per_chat_per_sec, per_chat_burst, global_per_sec, global_burst)

    # -- waiting -------------------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5,
        interval: float = 0.01,
        message: str | None = None,
    ) -> Any:
        """Poll until ``predicate()`` (sync or async) is truthy and return its value.

        Exceptions from the predicate (e.g. IndexError before a message exists) count as "not
        yet"; on timeout an AssertionError reports the predicate, the last exception and calls.
        """
        deadline = time.monotonic() + timeout
        failure: Exception | None = None
        while True:
            try:
                result = predicate()
                if inspect.isawaitable(result):
                    result = await result
            except Exception as exc:
                result, failure = None, exc
            if result:
                return result
            if time.monotonic() >= deadline:
                report = self._timeout_report(predicate, timeout, message)
                if failure is not None:
                    report += f"\n  last exception from the predicate: {failure!r}"
                raise AssertionError(report)
            await asyncio.sleep(interval)

    async def settle(self, quiet: float = 0.1, timeout: float = 5) -> None:
        """Wait until every update is confirmed, no bot in `busy` says it is still handling one
        (a chart drawn on a loaded machine is a long pause between two sends), and no call but
        getUpdates came for ``quiet`` s."""

        def idle() -> bool:
            return (
                not self._queue
                and not any(busy() for busy in self.busy)
                and time.monotonic() - self._last_activity >= quiet
            )

        await self.wait_for(idle, timeout, message="bot to consume all updates and go quiet")

    def _timeout_report(self, predicate: Callable, timeout: float, message: str | None) -> str:
        what = message
        if what is None:
            try:
                what = inspect.getsource(predicate).strip()
            except (OSError, TypeError):
                what = repr(predicate)
        recent = [c for c in self.calls if c[0] != "getUpdates"][-5:]
        return (
            f"condition not met within {timeout}s: {what}\n"
            f"  pending updates: {len(self._queue)}; last calls: {recent}\n"
            f"  violations: {self.violations}; errors: {self.errors[-3:]}"
        )

    # -- HTTP ----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            return await self._dispatch(request)
        except Exception as exc:  # a bug of the fake: make it loud, not a silent 500
            name = request.match_info.get("method", "?")
            self.internal_errors.append(f"{name}: {exc!r}\n{traceback.format_exc()}")
            return self._answer(name, 500, f"Internal Server Error: fake server crashed: {exc!r}")

    async def _dispatch(self, request: web.Request) -> web.Response:
        try:
            raw = await self._read_params(request)
        except ValueError as exc:
            return self._answer(request.match_info["method"], 400, f"Bad Request: {exc}")
        if self._require_token and request.match_info["token"] != self.token:
            return self._answer(request.match_info["method"], 401, "Unauthorized")
        method = self.spec.method(request.match_info["method"])
        if method is None:
            name = request.match_info["method"]
            self.calls.append((name, dict(raw)))
            self.call_times.append(time.time())
            self.violations.append(f"{name}: no such method in {self.spec.version}")
            return self._answer(name, 404, "Not Found")
        errors, params = self.spec.validate_call(method, raw)
        self.calls.append((method, params))
        self.call_times.append(time.time())
        if method != "getUpdates":
            self._last_activity = time.monotonic()
        if not errors:
            errors = self.spec.method_rules(method, params, check_markup=self.check_markup)
        if errors:
            self.violations += [f"{method}: {e}" for e in errors]
            return self._answer(method, 400, "Bad Request: " + "; ".join(errors))
        try:
            self._gate(method, params)
            handler = getattr(self, f"_m_{method}", None)
            if handler is not None:
                result = handler(params)
                if inspect.isawaitable(result):
                    result = await result
            else:
                result = self._generic(method, params)
        except ApiError as err:
            return self._answer(method, err.code, err.description, err.parameters)
        if method != "getUpdates":  # updates are checked when built (raw ones are the test's)
            returns = self.spec.methods[method]["returns"]
            for problem in self.spec.check(result, returns, f"{method} result"):
                self.internal_errors.append(problem)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    async def _read_params(self, request: web.Request) -> dict[str, str | UploadedFile]:
        params: dict[str, str | UploadedFile] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            for key, value in (body or {}).items():
                params[key] = value if isinstance(value, str) else json.dumps(value)
        elif request.method == "POST":
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = UploadedFile(
                        key, value.filename, value.file.read(), value.content_type
                    )
                else:
                    params[key] = str(value)
        return params

    def _answer(
        self, method: str, code: int, description: str, parameters: dict | None = None
    ) -> web.Response:
        self.errors.append((method, code, description))
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code, dumps=_dumps)

    def _gate(self, method: str, params: dict[str, Any]) -> None:
        """Injected faults, blocked chats and flood limits."""
        faults = self._faults.get(method)
        if faults:
            raise ApiError(*faults.popleft())
        chat_id = params.get("chat_id")
        sends = method.startswith(("send", "copyMessage", "forwardMessage"))
        if sends and chat_id in self._blocked:
            if isinstance(chat_id, int) and chat_id < 0:
                raise ApiError(403, "Forbidden: bot was kicked from the supergroup chat")
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        limited = sends or method.startswith("editMessage")
        if self._flood and limited and method != "sendChatAction":
            retry = self._flood.retry_after(chat_id)
            if retry:
                self.rejected_429 += 1
                raise ApiError(
                    429, f"Too Many Requests: retry after {retry}", {"retry_after": retry}
                )


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)

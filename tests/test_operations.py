"""Bad configuration gets one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from tests.cli_driver import one_line, run


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "DATABASE_URL cannot be used: Could not parse"),
        ("postgresql://nobody@127.0.0.1:1/db", "Cannot open the database postgresql"),
        ("mysql://someone@localhost/db", "The database driver MySQLdb is not installed"),
    ],
)
def test_a_database_url_that_cannot_work(tmp_path, url, expected):
    line = one_line(run(tmp_path, ["chat"], DATABASE_URL=url))
    assert line.startswith(expected), line


def test_a_password_in_the_url_is_not_printed(tmp_path):
    line = one_line(run(tmp_path, ["chat"], DATABASE_URL="postgresql://u:sekret@127.0.0.1:1/db"))
    assert "sekret" not in line and "***" in line


def test_an_unknown_time_zone(tmp_path):
    line = one_line(run(tmp_path, ["chat"], CLUSTER_JOURNEY_TIMEZONE="Mars/Olympus"))
    assert "'Mars/Olympus' is not a time zone" in line


def test_a_webhook_url_whose_path_is_not_the_webhook_path(tmp_path):
    line = one_line(
        run(
            tmp_path,
            ["run", "--webhook-url", "https://bot.example.org/hook", "--webhook-path", "telegram"],
            TELEGRAM_BOT_TOKEN="123:abc",
        )
    )
    assert "does not end with --webhook-path 'telegram'" in line


WEBHOOK = ["run", "--webhook-url", "https://bot.example.org/telegram"]


def test_a_webhook_without_a_secret_does_not_start(tmp_path):
    """Without a secret anyone who finds the URL could post updates as any user."""
    line = one_line(run(tmp_path, WEBHOOK, TELEGRAM_BOT_TOKEN="123:abc"))
    assert line.startswith("a webhook needs a secret: set TELEGRAM_WEBHOOK_SECRET"), line


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ({"TELEGRAM_WEBHOOK_SECRET": "has space"}, "the webhook secret must be 1-256"),
        ({"TELEGRAM_WEBHOOK_SECRET_FILE": "missing.txt"}, "cannot read the webhook secret from"),
        ({"TELEGRAM_WEBHOOK_SECRET_FILE": "empty.txt"}, "a webhook needs a secret"),
    ],
)
def test_a_webhook_secret_that_cannot_work(tmp_path, how, expected):
    (tmp_path / "empty.txt").write_text("\n")
    line = one_line(run(tmp_path, WEBHOOK, TELEGRAM_BOT_TOKEN="123:abc", **how))
    assert line.startswith(expected), line


def test_a_webhook_port_in_use(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = one_line(
            run(
                tmp_path,
                ["run", "--webhook-url", "https://bot.example.org/telegram", "--listen",
                 "127.0.0.1", "--port", str(port)],
                TELEGRAM_BOT_TOKEN="123:abc",
                TELEGRAM_WEBHOOK_SECRET="s3cret",
            )
        )  # fmt: skip
    assert line.startswith(f"cannot listen on 127.0.0.1:{port}")


def test_version_and_python_m_bot(tmp_path):
    for command in (["--version"], ["-m", "bot", "--version"]):
        args = [sys.executable, *command] if command[0] == "-m" else None
        result = (
            subprocess.run(args, capture_output=True, text=True, timeout=60)
            if args
            else run(tmp_path, command)
        )
        assert result.returncode == 0 and result.stdout.startswith("cluster-journey 0.1.0")


@pytest.mark.parametrize(
    "command", [["chat"], ["web", "--port", "0"], ["admin", "observers"], ["db", "upgrade"]]
)
def test_a_port_that_is_not_a_number_is_one_line(tmp_path, command):
    line = one_line(run(tmp_path, command, DATABASE_URL="postgresql://u@127.0.0.1:abc/db"))
    assert line.startswith("DATABASE_URL cannot be used: the port in DATABASE_URL is not a"), line


def test_libpq_options_in_a_postgres_url(tmp_path, postgres_database):
    """What a managed PostgreSQL hands out: `sslmode` and friends are understood (this test
    server has no TLS, so `disable` and `prefer` connect and `require` is refused in one line)."""
    options = "?sslmode=prefer&application_name=cluster-journey&connect_timeout=5"
    upgraded = run(tmp_path, ["db", "upgrade"], DATABASE_URL=postgres_database.url + options)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "schema version" in upgraded.stdout
    line = one_line(
        run(tmp_path, ["db", "upgrade"], DATABASE_URL=postgres_database.url + "?sslmode=require")
    )
    assert line.startswith("Cannot open the database postgresql") and "SSL" in line, line
    line = one_line(
        run(tmp_path, ["db", "upgrade"], DATABASE_URL=postgres_database.url + "?ssl_mode=x")
    )
    assert 'unrecognized configuration parameter "ssl_mode"' in line, line

"""Mail round trip through the real CLI: send, inbox, read, reply threading, archive; bad addresses."""

from __future__ import annotations

import json

from tests.agents.conftest import cli


def test_mail_round_trip_with_threading(town) -> None:
    sent = cli(town, "mail", "send", "mayor/", "-s", "Plan for today", "-m", "Sling the auth beads.", "--json")
    assert sent.returncode == 0, sent.stderr
    original = json.loads(sent.stdout)
    assert original["to"] == "mayor/" and original["from"] == "overseer" and original["unread"]

    inbox = json.loads(cli(town, "mail", "inbox", "--json", agent="mayor/").stdout)
    assert [m["id"] for m in inbox] == [original["id"]]

    read = cli(town, "mail", "read", original["id"], agent="mayor/")
    assert "Sling the auth beads." in read.stdout and "From: overseer" in read.stdout
    assert json.loads(cli(town, "mail", "inbox", "--json", agent="mayor/").stdout) == []
    assert len(json.loads(cli(town, "mail", "inbox", "--all", "--json", agent="mayor/").stdout)) == 1

    replied = json.loads(cli(town, "mail", "reply", original["id"], "-m", "On it.", "--json", agent="mayor/").stdout)
    assert replied["to"] == "overseer" and replied["from"] == "mayor/"
    assert replied["subject"] == "Re: Plan for today"
    assert replied["thread"] == original["thread"] and replied["reply_to"] == original["id"]

    overseer = json.loads(cli(town, "mail", "inbox", "--json").stdout)
    assert [m["id"] for m in overseer] == [replied["id"]]
    thread = json.loads(cli(town, "mail", "thread", replied["id"], "--json").stdout)
    assert [m["id"] for m in thread] == [original["id"], replied["id"]]

    archived = cli(town, "mail", "archive", replied["id"])
    assert archived.returncode == 0
    assert json.loads(cli(town, "mail", "inbox", "--json").stdout) == []


def test_mail_to_rig_addresses_and_prime_shows_unread(town) -> None:
    assert cli(town, "mail", "send", "app/witness", "-s", "hello witness").returncode == 0
    assert cli(town, "mail", "send", "app/polecats/nux", "-s", "read the docs", "-m", "please").returncode == 0
    prime = cli(town, "prime", agent="app/polecats/nux")
    assert prime.returncode == 0, prime.stderr
    assert "Unread mail (1)" in prime.stdout and "read the docs" in prime.stdout


def test_mail_to_bad_addresses_is_refused(town) -> None:
    for bad, words in (("nosuchrig/witness", "no rig"), ("not an address", "invalid address"),
                       ("app/polecats/Bad;rm", "invalid address"), ("app/chef", "invalid address")):
        result = cli(town, "mail", "send", bad, "-s", "hi")
        assert result.returncode != 0, bad
        assert words in result.stderr, (bad, result.stderr)
        assert "Traceback" not in result.stderr


def test_running_recipient_is_nudged_about_new_mail(town, ledger, engine_proc) -> None:
    from tests.agents.conftest import agent_rows, wait_until

    bead = ledger.create("Quick", prefix="ap", description="```sh\necho q > q.txt\n```")
    assert cli(town, "sling", bead.id, "app").returncode == 0
    wait_until(lambda: ledger.list(labels=["gt:merge-request"]), 60)
    wait_until(lambda: agent_rows(town)["app/polecats/nux"]["state"] == "idle", 30)
    sent = json.loads(cli(town, "mail", "send", "app/polecats/nux", "-s", "Review notes", "--json").stdout)
    wait_until(lambda: f"New mail from overseer: Review notes (gt mail read {sent['id']})"
               in cli(town, "peek", "app/polecats/nux").stdout, 30)


def test_escalation_reaches_the_overseer_once(town) -> None:
    first = cli(town, "escalate", "-s", "HIGH", "tests fail on main", "--json", agent="app/polecats/nux")
    assert first.returncode == 0, first.stderr
    again = cli(town, "escalate", "-s", "HIGH", "tests fail on main", "--json", agent="app/polecats/nux")
    assert json.loads(again.stdout)["id"] == json.loads(first.stdout)["id"]
    inbox = json.loads(cli(town, "mail", "inbox", "--json").stdout)
    assert [m["subject"] for m in inbox] == ["[HIGH] tests fail on main"]
    assert inbox[0]["from"] == "app/polecats/nux"

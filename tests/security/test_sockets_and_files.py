"""The engine listens on no TCP port, and everything under `.gastown/` is private to the user (dirs 0700,
files 0600): the control socket, the store and its WAL, the feed, transcripts, logs and runtime settings."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

from tests.agents.conftest import agent_rows, cli, gated_bead, wait_until


def socket_inodes(pid: int) -> set[int]:
    """Inodes of the sockets process `pid` holds open (from /proc/<pid>/fd links like `socket:[123]`)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed while we looked
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def listening_tcp_inodes() -> set[int]:
    """Inodes of every TCP/TCP6 socket in LISTEN state (st == 0A) on this host."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":
                inodes.add(int(fields[9]))
    return inodes


def unix_socket_paths(inodes: set[int]) -> set[str]:
    """Paths of the unix sockets among `inodes` (from /proc/net/unix)."""
    paths = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 8 and int(fields[6]) in inodes:
            paths.add(fields[7])
    return paths


def test_the_detector_sees_a_listening_socket() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert socket_inodes(os.getpid()) & listening_tcp_inodes()  # so the negative check below can fail
    finally:
        server.close()


def test_engine_listens_on_no_tcp_port(town, engine_proc) -> None:
    pid = engine_proc.proc.pid
    mine = socket_inodes(pid)
    assert str(town.engine_sock) in unix_socket_paths(mine)  # we are looking at the right process
    assert not mine & listening_tcp_inodes()
    children = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for child in children:
        assert not socket_inodes(child) & listening_tcp_inodes(), child


def assert_private(root: Path) -> list[Path]:
    """Every dir under `root` 0700 or stricter, every file 0600 or stricter; returns the paths seen."""
    seen = []
    bad = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink():
            continue
        if mode & 0o077:
            bad.append(f"{path.relative_to(root.parent)} {oct(mode)}")
        seen.append(path)
    assert not bad, "readable by group/others:\n" + "\n".join(bad)
    return seen


def start_one_agent(town, ledger) -> None:
    """Sling a gated bead and wait until its polecat works (so transcripts and settings exist)."""
    os.umask(0o022)  # the usual umask: privacy must not depend on the user's
    bead = gated_bead(ledger, "Private work")
    assert cli(town, "sling", bead.id, "app").returncode == 0
    address = wait_until(lambda: next((a for a, r in agent_rows(town).items() if r["state"] == "working"), None), 60)
    assert cli(town, "mail", "send", "overseer", "-s", "hello", "-m", "body").returncode == 0
    assert cli(town, "peek", str(address)).returncode == 0


def test_runtime_files_are_private(town, ledger, engine_proc) -> None:
    start_one_agent(town, ledger)
    runtime = town.runtime
    seen = {p.relative_to(runtime).as_posix() for p in assert_private(runtime)}
    for expected in ("state.db", "state.db-wal", "engine.sock", "events.jsonl"):
        assert expected in seen, sorted(seen)
    assert any(p.startswith("transcripts/") for p in seen), sorted(seen)
    assert stat.S_ISSOCK(town.engine_sock.stat().st_mode)


def test_transcripts_directory_is_private(town, ledger, engine_proc) -> None:
    start_one_agent(town, ledger)
    assert stat.S_IMODE(town.transcripts.stat().st_mode) & 0o077 == 0


def test_engine_log_directory_is_private_whatever_the_umask(tmp_path: Path) -> None:
    """The background engine's log dir is 0700 under umask 000, and an existing 0755 one is tightened (doctor
    reported `.gastown/logs` 0o755 from daemons started before this fix)."""
    from gastown_tui.engine.api.daemon import private_log_dir

    old = os.umask(0)
    try:
        (tmp_path / "a").mkdir()
        logs = private_log_dir(tmp_path / "a")
        (tmp_path / "b" / ".gastown" / "logs").mkdir(parents=True, mode=0o755)
        older = private_log_dir(tmp_path / "b")
    finally:
        os.umask(old)
    for path in (logs, logs.parent, older, older.parent):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path

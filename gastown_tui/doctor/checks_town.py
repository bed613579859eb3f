"""Doctor checks of the town itself: permissions, engine, ledger integrity, half-made commands, stale worktrees and
branches, orphaned agent processes."""

from __future__ import annotations

import os
import stat
from typing import Any

from gastown_tui.doctor.model import Finding
from gastown_tui.town.paths import TownPaths


def check_permissions(town: TownPaths) -> list[Finding]:
    """Everything under `.gastown/` private: directories 0700, no file group- or world-writable."""
    out = []
    root = town.runtime
    if not root.is_dir():
        return [Finding("permissions", "warn", f"{root} does not exist", "start the engine once, or reinstall")]
    for path in [root, *root.rglob("*")]:
        if path.is_symlink() or path.is_socket():
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_dir() and mode != 0o700:
            out.append(Finding("permissions", "warn", f"{path} is {oct(mode)}, not 0o700", "chmod 700",
                               fix="chmod", target=str(path)))
        elif not path.is_dir() and mode & 0o022:
            out.append(Finding("permissions", "warn", f"{path} is {oct(mode)} (writable by others)", "chmod 600",
                               fix="chmod", target=str(path)))
    return out or [Finding("permissions", "ok", f"{root} is private")]


def check_engine(town: TownPaths) -> list[Finding]:
    """Whether an engine runs; a socket file left by a dead engine is harmless but stale."""
    from gastown_tui.control_socket import engine_running  # the client side only: doctor never imports the engine

    if engine_running(town):
        return [Finding("engine", "ok", "engine running")]
    if town.engine_sock.exists():
        return [Finding("engine", "warn", f"no engine answers, but {town.engine_sock.name} exists (stale)",
                        "remove the stale socket", fix="remove-socket", target=str(town.engine_sock))]
    return [Finding("engine", "ok", "engine not running (gastown engine run, or open the TUI)")]


def check_ledger(town: TownPaths, ledger: Any) -> list[Finding]:
    """JSONL <-> SQLite: each prefix's file holds exactly what the store would export, and parses."""
    from gastown_tui.ledger import jsonl

    conn = ledger.store.conn
    dirty = {r[0] for r in conn.execute("SELECT prefix FROM dirty_prefixes")}
    prefixes = {r[0] for r in conn.execute("SELECT DISTINCT prefix FROM issues WHERE ephemeral = 0")}
    prefixes |= {p.stem for p in town.beads_dir.glob("*.jsonl")} if town.beads_dir.is_dir() else set()
    out = []
    for prefix in sorted(prefixes):
        path = town.jsonl_for_prefix(prefix)
        data = path.read_bytes() if path.exists() else b""
        _records, errors = jsonl.parse_file(path, data)
        if errors:
            out.append(Finding("ledger", "error", f"{path.name}: {len(errors)} malformed line(s): {errors[0]}"[:200],
                               "fix the line by hand or `gastown ledger rebuild`"))
            continue
        if prefix not in dirty and jsonl.render(conn, prefix) != data:
            out.append(Finding("ledger", "warn", f"{path.name} differs from the SQLite store",
                               "export the store", fix="export-ledger", target=prefix))
    return out or [Finding("ledger", "ok", f"JSONL matches SQLite ({len(prefixes)} prefix(es))")]


def check_half_made(town: TownPaths, ledger: Any) -> list[Finding]:
    """Commands killed half-way (stale leases), hooks on polecats without a worktree, half-made rigs."""
    from gastown_tui.agents.lease import stale_leases
    from gastown_tui.records import parse_address
    from gastown_tui.town.rigs import ADDING

    out = []
    for address, lease in stale_leases(ledger):
        out.append(Finding("half-made", "error", f"{address}: a {lease.holder} of {lease.bead or '-'} was killed "
                           f"half-way ({', '.join(sorted(lease.made)) or 'nothing made yet'})", "repair it",
                           fix="repair", target=str(address)))
    for bead in ledger.list(status="hooked"):
        try:
            address = parse_address(bead.assignee or "")
        except Exception:  # noqa: BLE001, S112 - an odd assignee is not this check's business
            continue
        if address.role == "polecat" and address.rig:
            tree = town.rig(address.rig).polecat(address.name)
            if not (tree.is_dir() and any(tree.iterdir())):
                out.append(Finding("half-made", "error", f"{bead.id} is hooked to {address} but {tree} does not "
                                   "exist", "put it back to open", fix="repair", target=str(address)))
    for child in sorted(town.root.iterdir()):
        if (child / ADDING).exists():
            out.append(Finding("half-made", "warn", f"rig {child.name} is half-added", "repair it",
                               fix="repair", target=child.name))
    return out or [Finding("half-made", "ok", "no half-made slings or rigs")]


def check_worktrees(town: TownPaths, ledger: Any) -> list[Finding]:
    """Polecat worktrees with merged, clean work and nothing hooked; merged polecat branches with no worktree."""
    from gastown_tui import gitops
    from gastown_tui.agents.hooks import hooked_bead
    from gastown_tui.errors import GastownError
    from gastown_tui.records import Address
    from gastown_tui.town.rigs import list_rigs

    out = []
    for rig in list_rigs(town):
        try:
            main = gitops.default_branch(rig.paths)
            trees = gitops.list_worktrees(rig.paths)
            checked_out = {t.branch for t in trees if t.branch}
            for tree in trees:
                if tree.prunable:
                    out.append(Finding("worktrees", "warn", f"{tree.path} is registered but gone", "git worktree "
                                       "prune", fix="prune", target=rig.name))
                    continue
                name = tree.path.name
                if tree.path.parent != rig.paths.polecats.resolve() or not tree.branch:
                    continue
                if hooked_bead(ledger, Address("polecat", rig=rig.name, name=name)) is None and \
                        gitops.is_merged(rig.paths, tree.branch, main) and not gitops.has_uncommitted(tree.path):
                    out.append(Finding("worktrees", "warn", f"{tree.path} holds merged work and nothing is hooked",
                                       "the witness removes it; or `git worktree remove` it"))
            for branch in gitops.list_branches(rig.paths, "polecat/*"):
                if branch not in checked_out and gitops.is_merged(rig.paths, branch, main):
                    out.append(Finding("branches", "warn", f"{rig.name}: {branch} is merged and unused",
                                       "delete it", fix="delete-branch", target=f"{rig.name}:{branch}"))
        except GastownError as exc:
            out.append(Finding("worktrees", "error", f"rig {rig.name}: {exc.one_line()}", "check the rig's repo"))
    return out or [Finding("worktrees", "ok", "no stale worktrees or branches")]


def town_processes(town: TownPaths) -> list[tuple[int, str, str]]:
    """(pid, agent address, command) of live processes whose environment says they are agents of this town."""
    want = f"GT_TOWN={town.root}".encode()
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                env = handle.read().split(b"\0")
            if want not in env:
                continue
            agent = next((v[len(b"GT_AGENT="):].decode(errors="replace") for v in env if v.startswith(b"GT_AGENT=")),
                         "")
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmd = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if agent:
            found.append((int(entry), agent, cmd[:120]))
    return found


def check_orphans(town: TownPaths, engine_up: bool) -> list[Finding]:
    """Agent processes still running while no engine runs (nobody watches or stops them)."""
    if engine_up:
        return [Finding("processes", "ok", "agent processes belong to the running engine")]
    orphans = town_processes(town)
    out = [Finding("processes", "warn", f"pid {pid} ({agent}) runs with no engine: {cmd}"[:200],
                   f"kill {pid}, or start the engine") for pid, agent, cmd in orphans]
    return out or [Finding("processes", "ok", "no orphaned agent processes")]

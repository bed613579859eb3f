"""Measure emulator fidelity against tmux: ``python -m tests.terminal.measure_fidelity``.

Each corpus program runs live in our PtySession (with a transcript) and in tmux, with the same keys. After each
step the tmux screen is the reference; the transcript prefix up to that step is replayed into stock pyte
(``Screen`` + ``ByteStream``), bittty and our TerminalScreen, and we count rows whose text equals tmux's.
Replaying bytes is fair for display: programs that queried the terminal got our answers in every case.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

from gastown_tui.terminal import TerminalScreen
from tests.terminal.fidelity import SideBySide

COLS, ROWS = 80, 24


def replay_pyte(data: bytes) -> list[str]:
    """Stock pyte's view of the bytes."""
    import pyte

    screen = pyte.Screen(COLS, ROWS)
    stream = pyte.ByteStream(screen)
    try:
        stream.feed(data)
    except Exception as exc:  # noqa: BLE001 - a crash is a result too
        return [f"<crash {type(exc).__name__}>"] * ROWS
    try:
        return [line.rstrip() for line in screen.display]
    except AssertionError:
        return ["<display assertion>"] * ROWS


def replay_bittty(data: bytes) -> list[str]:
    """bittty's view of the bytes."""
    from bittty import Board

    board = Board(command="/bin/true", width=COLS, height=ROWS)
    try:
        board.feed_host_data(data)
    except Exception as exc:  # noqa: BLE001
        return [f"<crash {type(exc).__name__}>"] * ROWS
    lines = [line.rstrip() for line in board.capture_text(trim=False).split("\n")]
    return (lines + [""] * ROWS)[:ROWS]


def replay_ours(data: bytes) -> list[str]:
    """Our screen's view of the bytes (fed in one go; live it was fed in PTY-sized chunks)."""
    screen = TerminalScreen(COLS, ROWS)
    screen.feed(data)
    return [line.rstrip() for line in screen.display]


def corpus(home: Path) -> list[tuple[str, list[str], list[bytes], Path]]:
    """(name, argv, steps, cwd)."""
    (home / "notes.txt").write_text("line one\nline two\n")
    log = "".join(f"\x1b[3{i % 8}mline {i}\x1b[0m \x1b[38;5;{i}mx256\x1b[0m \x1b[38:2::9:{i}:200mrgb\x1b[0m tail\n"
                  for i in range(120))
    (home / "log.txt").write_text(log)
    (home / "samples.txt").write_text(
        "colon: \x1b[38:2::255:0:0mred\x1b[0m \x1b[48:5:21mbg\x1b[0m|\r\n"
        "vs16: a\u2601\ufe0fbcd x\u2714\ufe0f done \u26a0\ufe0f warn|\r\n"
        "zwj: \U0001f468\u200d\U0001f469\u200d\U0001f467|fam \U0001f44d\U0001f3fd|thumb\r\n"
        "cjk: \u4e2d\u6587\u5b57|  comb: e\u0301|\r\n\x1b[1S\x1b[2;5r\x1b[5;1H\x1b[1Sscrolled\x1b[r\r\n")
    repo = home / "repo"
    repo.mkdir(exist_ok=True)
    for cmd in (["init", "-q", "-b", "main"], ["commit", "-q", "--allow-empty", "-m", "one"],
                ["checkout", "-q", "-b", "side"], ["commit", "-q", "--allow-empty", "-m", "side work"],
                ["checkout", "-q", "main"], ["commit", "-q", "--allow-empty", "-m", "main work"],
                ["merge", "-q", "--no-ff", "-m", "merge side", "side"]):
        subprocess.run(["git", *cmd], cwd=repo, check=True, capture_output=True)
    return [
        ("vim", ["vim", "-u", "NONE", "-N", "-i", "NONE", "-n", "notes.txt"],
         ["", "Gohello from gastown\x1b", ":set ruler\r"], home),
        ("less -R", ["less", "-R", "log.txt"], ["", " ", "G", "g"], home),
        ("python REPL", [sys.executable, "-q"], ["", "1+1\r"], home),
        ("git log --graph", ["sh", "-c", "git --no-pager log --graph --color --oneline; exec sleep 60"], [""], repo),
        ("unicode + colon SGR", ["sh", "-c", "cat samples.txt; exec sleep 60"], [""], home),
        ("vttest menu + test 1", ["vttest"], ["", "1\r"], home),
        ("alt screen (vim :q)", ["sh", "-c", "printf 'before\\n'; vim -u NONE -N -i NONE -n notes.txt; exec sleep 60"],
         ["", ":q!\r"], home),
    ]


def _installed(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


async def measure() -> None:
    """Run the corpus and print a table (reference emulators only if the bench extra is installed)."""
    replayers = {"ours": replay_ours, "pyte": replay_pyte, "bittty": replay_bittty}
    replayers = {k: f for k, f in replayers.items() if k == "ours" or _installed(k)}
    totals = dict.fromkeys(replayers, 0)
    rows_total = 0
    print(f"{'program / step':38} " + " ".join(f"{k:>6}" for k in replayers) + f"   (rows equal to tmux, of {ROWS})")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        for name, argv, steps, cwd in corpus(home):
            transcript = home / f"{name.split()[0]}.raw"
            sb = SideBySide(argv, COLS, ROWS, home, cwd=cwd)
            sb.session.transcript_path = transcript
            async with sb:
                for keys in steps:
                    live, ref = await sb.step(keys.encode())
                    data = transcript.read_bytes()
                    scores = {k: f(data) for k, f in replayers.items()}
                    row = {k: sum(a == b for a, b in zip(v, ref)) for k, v in scores.items()}
                    assert live == ref or row["ours"] < ROWS
                    for k in totals:
                        totals[k] += row[k]
                    rows_total += ROWS
                    print(f"{name + ' ' + repr(keys)[:14]:38} " + " ".join(f"{row[k]:6}" for k in replayers))
    print(f"{'total':38} " + " ".join(f"{totals[k]:6}" for k in replayers) + f"   of {rows_total} rows")


async def measure_reflow() -> None:
    """Shrink and regrow the reflow corpus next to tmux; count equal rows (all lines while shrunk, the screen
    once regrown)."""
    from tests.terminal.fidelity import diff, ours_all
    from tests.terminal.test_reflow_colours import PROGRAMS, SIZES, _long_log

    equal = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        _long_log(home / "long.log")
        for name, (argv, keys) in PROGRAMS.items():
            async with SideBySide(argv, *SIZES[0], home) as sb:
                await sb.step(b"")
                await sb.step(keys)
                for cols, rows in SIZES[1:]:
                    ours, tmux = await sb.resize(cols, rows)
                    a, b = (ours_all(sb.session), sb.tmux.capture_all()) if (cols, rows) != SIZES[-1] else (ours, tmux)
                    n = sum(x == y for x, y in zip(a, b))
                    equal, total = equal + n, total + max(len(a), len(b))
                    print(f"reflow {name:6} {cols}x{rows}: {n}/{max(len(a), len(b))}")
                    if a != b:
                        print(diff(a, b))
    print(f"reflow total: {equal}/{total} rows equal to tmux")


if __name__ == "__main__":
    asyncio.run(measure())
    asyncio.run(measure_reflow())

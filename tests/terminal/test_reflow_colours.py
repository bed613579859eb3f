"""Against tmux 3.3a: reflow when a pane shrinks and regrows, and the colours/attributes of every matching row.

Reflow: three programs that leave their output to the terminal (a shell, cat of a long coloured log with wide
characters, a Python REPL) are shrunk narrower and shorter, then grown back. After every resize the reflowed
lines (scrollback then screen) must equal tmux's, and once regrown the visible rows must too. While shrunk, the
rows are the same but may sit higher or lower: tmux keeps the cursor on its row and pushes the overflow into
history, libghostty-vt keeps the top of the screen and moves the cursor down (MEASUREMENTS.md).
Colours: for programs that colour their output, every row whose text matches tmux must also match
``capture-pane -e`` cell by cell (colour, bold, dim, italic, underline, blink, reverse, strike).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.terminal.fidelity import HAVE_TMUX, SideBySide, diff, ours_all
from tests.terminal.styled import compare_row, parse_capture

pytestmark = [pytest.mark.skipif(not HAVE_TMUX, reason="tmux not installed"), pytest.mark.timeout(90)]

SIZES = [(80, 20), (47, 14), (31, 9), (64, 17), (80, 20)]  # shrink twice, regrow in two steps


def _long_log(path: Path) -> None:
    lines = [f"\x1b[3{i % 8}m{i:03d}\x1b[0m " + "word " * (3 + i * 7 % 19) + "\u4e2d\u6587" * (i % 3)
             + f" \x1b[1mend{i}\x1b[0m\n" for i in range(60)]
    path.write_text("".join(lines))


PROGRAMS = {
    "shell": (["sh"],
              b"printf 'a fairly long line of shell output that will need to wrap when narrow %s\\n' 1 2 3 4\r"),
    "cat": (["sh", "-c", "cat long.log; exec sleep 60"], b""),
    "repl": ([sys.executable, "-q"], b"print(', '.join(str(n * 1234567) for n in range(40)))\r"),
}


@pytest.mark.parametrize("name", list(PROGRAMS))
async def test_shrink_and_regrow_reflows_like_tmux(name: str, tmp_path: Path) -> None:
    _long_log(tmp_path / "long.log")
    argv, keys = PROGRAMS[name]
    async with SideBySide(argv, *SIZES[0], tmp_path) as sb:
        await sb.step(b"")  # let both sides print their prompt before anything is typed
        ours, tmux = await sb.step(keys)
        assert ours == tmux, diff(ours, tmux)
        wide = len(ours_all(sb.session))
        for cols, rows in SIZES[1:]:
            await sb.resize(cols, rows)
            lines, tmux_lines = ours_all(sb.session), sb.tmux.capture_all()
            if cols == min(c for c, _ in SIZES):
                assert len(lines) > wide  # the shrink really re-wrapped lines
            assert lines == tmux_lines, f"{name} at {cols}x{rows}:\n{diff(lines, tmux_lines)}"
        assert ours == tmux, f"{name} regrown:\n{diff(ours, tmux)}"


async def test_colours_and_attributes_match_capture_pane_e(tmp_path: Path) -> None:
    samples = "".join(
        f"\x1b[3{i % 8}mfg{i}\x1b[0m \x1b[4{(i + 3) % 8}mbg\x1b[0m \x1b[9{i % 8}mbright\x1b[0m "
        f"\x1b[38;5;{(i * 37) % 256}m256\x1b[0m \x1b[48;5;{(i * 11) % 256}mb256\x1b[0m "
        f"\x1b[38;2;{i * 9};{255 - i * 9};{i * 5}mrgb\x1b[0m \x1b[38:2::{i}:{i + 1}:{i + 2}mcolon\x1b[0m "
        f"\x1b[1mB\x1b[22m \x1b[2mD\x1b[22m \x1b[3mI\x1b[23m \x1b[4mU\x1b[24m \x1b[5mK\x1b[25m \x1b[7mR\x1b[27m "
        f"\x1b[9mS\x1b[29m \x1b[1;3;4;31;42mall\x1b[0m \u4e2d\x1b[35m\u6587\x1b[0m\r\n" for i in range(16))
    (tmp_path / "samples.txt").write_text(samples)
    repo = tmp_path / "repo"
    repo.mkdir()
    for args in (["init", "-q", "-b", "main"], ["commit", "-q", "--allow-empty", "-m", "one"],
                 ["checkout", "-q", "-b", "side"], ["commit", "-q", "--allow-empty", "-m", "two"],
                 ["checkout", "-q", "main"], ["commit", "-q", "--allow-empty", "-m", "three"],
                 ["merge", "-q", "--no-ff", "-m", "merge side", "side"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                       capture_output=True)
    programs = [
        (["sh", "-c", "cat samples.txt; exec sleep 60"], tmp_path, 100, 20, b""),
        (["less", "-R", "samples.txt"], tmp_path, 90, 12, b""),
        (["sh", "-c", "git --no-pager log --graph --color=always --decorate --oneline; exec sleep 60"], repo,
         80, 10, b""),
    ]
    compared = 0
    for argv, cwd, cols, rows, keys in programs:
        async with SideBySide(argv, cols, rows, tmp_path, cwd=cwd) as sb:
            ours, tmux = await sb.step(keys)
            styled = parse_capture(sb.tmux.capture_styled())
            for y, (a, b) in enumerate(zip(ours, tmux)):
                if a != b or not a:
                    continue
                problems = compare_row(sb.session.screen.row(y), styled[y])
                assert not problems, f"{argv[0]} row {y} {a!r}:\n" + "\n".join(problems)
                compared += 1
    assert compared >= 30  # the sample rows, less's page and the graph: not a vacuous pass

"""Hypothesis fuzz of TerminalScreen: random bytes (biased toward real sequences) and resize storms.

Invariants after every step: nothing raises, every visible row is exactly ``cols`` cells, every history row too,
the display has ``rows`` lines, the cursor is inside the grid, and the scrolled-off count never goes down.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gastown_tui.terminal import TerminalScreen

FRAGMENTS = [
    b"\x1b[", b"\x1b]", b"\x1bP", b"\x1b", b"\x07", b"\x1b\\", b"?1049h", b"?1049l", b"?2026h", b"?2026l", b"?3h",
    b"?40h", b"?47h", b"?1h", b"?2004h", b"38;2;1;2;3m", b"38:5:9m", b"4:3m", b"1;31m", b"0m", b"2J", b"3J", b"K",
    b"H", b"10;5H", b"5;10r", b"r", b"2S", b"3T", b"4L", b"2M", b"3P", b"5@", b"X", b"6n", b"c", b">c", b"18t",
    b"?2026$p", b"8;;http://x\x07", b"8;;\x07", b"52;c;aGk=\x07", b"0;title\x07", b">1u", b"<u", b"?2027h",
    b"?2027l", b"#8", b"c", b"\r\n", b"\n", b"\r", b"\t", b"\x08", "中文é\u0301\U0001f468\u200d\U0001f469".encode(),
    "\u2601\ufe0f\U0001f1fa\U0001f1f8".encode(), b"\xff\xfe\xc3", b"plain text ", b"0123456789" * 8,
]

chunk = st.one_of(
    st.binary(max_size=64),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=24).map(b"".join),
)
step = st.one_of(
    st.tuples(st.just("feed"), chunk),
    st.tuples(st.just("resize"), st.tuples(st.integers(1, 90), st.integers(1, 30))),
    st.tuples(st.just("read"), st.integers(0, 10_000)),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(st.integers(1, 60), st.integers(1, 20)), st.lists(step, min_size=1, max_size=40))
def test_random_bytes_and_resize_storms(size: tuple[int, int], steps: list[tuple[str, object]]) -> None:
    screen = TerminalScreen(*size, scrollback=40)
    seen_off = 0
    try:
        for kind, arg in steps:
            if kind == "feed":
                screen.feed(arg)  # type: ignore[arg-type]
                screen.take_replies()
                screen.take_clipboard()
            elif kind == "resize":
                screen.resize(*arg)  # type: ignore[misc]
            else:
                n = screen.scrollback_lines
                if n:
                    assert len(screen.history_row(int(arg) % n)) == screen.cols  # type: ignore[call-overload]
                screen.search("text")
            cols, rows = screen.cols, screen.rows
            screen.take_dirty()
            display = screen.display  # read first: the library formats the text without our Cells
            rows_now = [screen.row(y) for y in range(rows)]
            assert all(len(r) == cols for r in rows_now)
            assert display == ["".join(c.char for c in r).rstrip() for r in rows_now]
            x, y, _ = screen.cursor
            assert 0 <= x < cols and 0 <= y < rows
            off = screen.scrolled_off
            assert off >= seen_off
            seen_off = off
    finally:
        screen.close()


def test_resize_storm_keeps_every_row_exact() -> None:
    screen = TerminalScreen(80, 24, scrollback=500)
    text = "".join(f"\x1b[3{i % 8}mline {i} " + "wrap " * (i % 30) + "\u4e2d\U0001f468\u200d\U0001f469\r\n"
                   for i in range(400)).encode()
    for i in range(60):
        screen.feed(text[i * 300:(i + 1) * 300])
        screen.resize(1 + (i * 37) % 120, 1 + (i * 11) % 40)
        assert all(len(screen.row(y)) == screen.cols for y in range(screen.rows))
        if screen.scrollback_lines:
            assert len(screen.history_row(0)) == screen.cols

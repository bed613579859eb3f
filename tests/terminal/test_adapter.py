"""The libghostty-vt adapter's own promises: pinned layout, pinned width, answers, clipboard, links, threads,
scrollback bounds and the scrolled-off count."""

from __future__ import annotations

import threading

import pytest

from gastown_tui.terminal import TerminalScreen, ghostty


def test_layout_check_fails_with_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    ghostty.check_library()  # the installed build passes
    monkeypatch.setitem(ghostty.CELL_LAYOUT, "style_id", (27, 16))
    with pytest.raises(ImportError, match="packed cell layout changed"):
        ghostty.check_library()
    monkeypatch.setattr(ghostty, "PINNED_VERSION", "9.9.9")
    with pytest.raises(ImportError, match="needs pyghostty==9.9.9"):
        ghostty.check_library()


def test_deccolm_cannot_change_the_pane_width() -> None:
    s = TerminalScreen(100, 10)
    s.feed(b"before\x1b[?40h\x1b[?3h")  # allow 80/132, then switch to 132 columns (vttest does this)
    assert (s.cols, s.rows) == (100, 10)
    assert all(len(s.row(y)) == 100 for y in range(10))
    s.feed(b"after")
    assert s.display[0].rstrip() == "after"  # DECCOLM still clears and homes, like tmux


def test_query_answers_from_the_library() -> None:
    s = TerminalScreen(30, 6)
    s.feed(b"\x1b[>q\x1b]10;?\x1b\\\x1b[14t\x1b[?2027$p")
    replies = s.take_replies()
    assert b"\x1bP>|libghostty" in replies  # XTVERSION
    assert b"\x1b]10;rgb:ffff/ffff/ffff" in replies
    assert b"\x1b[4;96;240t" in replies  # text area in pixels: 6 rows x 16, 30 cols x 8
    assert b"\x1b[?2027;1$y" in replies  # grapheme clustering is on (our width policy), and says so


def test_clipboard_writes_are_queued_bounded_and_taken_once() -> None:
    s = TerminalScreen(30, 4)
    for i in range(10):
        s.feed(b"\x1b]52;c;" + __import__("base64").b64encode(f"text {i}".encode()) + b"\x07")
    assert s.take_clipboard() == ["text 6", "text 7", "text 8", "text 9"]
    assert s.take_clipboard() == []
    s.feed(b"\x1b]52;c;?\x07")  # a read request is not a write and gets no clipboard contents back
    assert s.take_clipboard() == [] and b"52;" not in s.take_replies()


def test_links_survive_scrolling_into_history() -> None:
    s = TerminalScreen(20, 3, scrollback=100)
    s.feed(b"\x1b]8;;https://example.com/a\x07first\x1b]8;;\x07\r\n" + b"filler\r\n" * 5)
    assert s.history_text(0) == "first"
    assert [c.link for c in s.history_row(0)[:6]] == ["https://example.com/a"] * 5 + [""]


def test_scrollback_is_bounded_and_scrolled_off_counts_pruned_lines() -> None:
    s = TerminalScreen(40, 5, scrollback=300)
    seen = []
    for i in range(6000):
        s.feed(b"line %d\r\n" % i)
        if i % 500 == 0:
            seen.append(s.scrolled_off)
    assert s.scrollback_lines == 300
    assert s.scrolled_off == 6000 - 4  # every line but the 4 still on screen (and the empty cursor row)
    assert seen == sorted(seen)
    assert s.history_text(0) == "line 5696" and s.history_text(299) == "line 5995"
    assert [h.line for h in s.search("line 5700")] == [4]


def test_compaction_keeps_history_readable() -> None:
    s = TerminalScreen(60, 5, scrollback=2000)
    s.feed(b"".join(b"\x1b[3%dmrow %d\x1b[0m tail\r\n" % (i % 8, i) for i in range(3000)))
    before = [s.history_row(i) for i in (0, 999, 1999)]
    while s.compact(budget=2000):
        pass
    assert [s.history_row(i) for i in (0, 999, 1999)] == before
    assert s.history_text(999) == "row 1995 tail"  # 2996 lines went up; the newest 2000 are exposed
    assert before[1][0].fg == "yellow" and before[1][8].fg == "default"  # 1995 % 8 == 3


def test_feeding_from_a_thread_while_reading_rows() -> None:
    s = TerminalScreen(80, 24, scrollback=1000)
    data = b"".join(b"\x1b[3%dmthread line %d\x1b[0m " % (i % 8, i) + b"x" * (i % 70) + b"\r\n" for i in range(3000))
    errors: list[BaseException] = []

    def feed() -> None:
        try:
            for i in range(0, len(data), 4096):
                s.feed(data[i:i + 4096])
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=feed)
    thread.start()
    reads = 0
    while thread.is_alive() or reads < 50:
        s.take_dirty()
        assert all(len(s.row(y)) == 80 for y in range(24))
        if s.scrollback_lines:
            assert len(s.history_row(s.scrollback_lines - 1)) == 80
        reads += 1
    thread.join()
    assert not errors
    assert s.display[-2].startswith("thread line 2999")


def test_a_changed_combining_mark_or_link_target_is_a_change() -> None:
    s = TerminalScreen(20, 3)
    s.feed("e\u0301 \x1b]8;;https://a\x07x\x1b]8;;\x07".encode())
    s.take_dirty()
    assert s.row(0)[0].char == "e\u0301" and s.row(0)[2].link == "https://a"
    s.feed("\x1b[1;1He\u0300 \x1b]8;;https://b\x07x\x1b]8;;\x07".encode())  # same base code points, new marks/link
    assert 0 in s.take_dirty()
    assert s.row(0)[0].char == "e\u0300" and s.row(0)[2].link == "https://b"


def test_width_policy_survives_a_full_reset() -> None:
    s = TerminalScreen(20, 3)
    s.feed("\x1bca\u2601\ufe0fb".encode())  # RIS, then a VS16 emoji
    assert [c.width for c in s.row(0)[:4]] == [1, 2, 0, 1]
    s.feed(b"\x1b[?2027$p")
    assert b"\x1b[?2027;1$y" in s.take_replies()

"""Unit tests of TerminalScreen features: the things agent TUIs rely on."""

from __future__ import annotations

from gastown_tui.terminal import TerminalScreen


def screen(cols: int = 20, rows: int = 5, **kw: int) -> TerminalScreen:
    return TerminalScreen(cols, rows, **kw)


def text(s: TerminalScreen) -> list[str]:
    return [line.rstrip() for line in s.display]


def test_plain_text_and_wrap() -> None:
    s = screen(10, 3)
    s.feed(b"hello world, wrapped")
    assert text(s) == ["hello worl", "d, wrapped", ""]


def test_alt_screen_restores_main_screen_and_cursor() -> None:
    s = screen()
    s.feed(b"main line\r\nsecond")
    s.feed(b"\x1b[?1049h\x1b[2J\x1b[Hfull screen app\x1b[3;3Hxx")
    assert s.modes.alt_screen and text(s)[0] == "full screen app"
    s.feed(b"\x1b[?1049l")
    assert not s.modes.alt_screen
    assert text(s)[:2] == ["main line", "second"]
    assert s.cursor[:2] == (6, 1)


def test_alt_screen_47_and_1047() -> None:
    s = screen()
    s.feed(b"keep")
    s.feed(b"\x1b[?47hALT\x1b[?47l")
    assert text(s)[0] == "keep"
    s.feed(b"\x1b[?1047hALT2\x1b[?1047l")
    assert text(s)[0] == "keep"


def test_alt_screen_does_not_feed_scrollback() -> None:
    s = screen(10, 3)
    s.feed(b"\x1b[?1049h" + b"x\r\n" * 10 + b"\x1b[?1049l")
    assert s.scrollback_lines == 0


def test_scroll_region() -> None:
    s = screen(10, 5)
    s.feed(b"top\r\n1\r\n2\r\n3\r\nbottom")
    s.feed(b"\x1b[2;4r\x1b[4;1H\n")  # LF at the bottom of the region scrolls only rows 2..4
    assert text(s) == ["top", "2", "3", "", "bottom"]
    assert s.scrollback_lines == 0  # region does not start at the top: nothing goes to history


def test_su_sd_il_dl_ich_dch() -> None:
    s = screen(10, 4)
    s.feed(b"a\r\nb\r\nc\r\nd")
    s.feed(b"\x1b[1S")
    assert text(s) == ["b", "c", "d", ""]
    s.feed(b"\x1b[2T")
    assert text(s) == ["", "", "b", "c"]
    s.feed(b"\x1b[3;1H\x1b[1L")
    assert text(s) == ["", "", "", "b"]
    s.feed(b"\x1b[4;1H\x1b[1M")
    assert text(s) == ["", "", "", ""]
    s.feed(b"\x1b[1;1Habcdef\x1b[1;2H\x1b[2P")
    assert text(s)[0] == "adef"
    s.feed(b"\x1b[1;2H\x1b[2@XY")
    assert text(s)[0] == "aXYdef"


def test_colon_sgr_truecolour_and_256() -> None:
    s = screen()
    s.feed(b"\x1b[38:2::255:128:0mA\x1b[38:2:1:2:3mB\x1b[48;2;0;0;255mC\x1b[0;38:5:196mD\x1b[38;5;21mE\x1b[91mF")
    row = s.row(0)
    assert text(s)[0] == "ABCDEF"  # no parameter text leaks onto the screen (stock pyte prints it)
    assert row[0].fg == "#ff8000"
    assert row[1].fg == "#010203"
    assert row[2].bg == "#0000ff"
    assert row[3].fg == "color(196)" and row[3].bg == "default"
    assert row[4].fg == "color(21)"
    assert row[5].fg == "bright_red"


def test_sgr_flags() -> None:
    s = screen()
    s.feed(b"\x1b[1;2;3;4;5;7;9mX\x1b[22;23;24;25;27;29mY\x1b[4:3mZ\x1b[4:0mW")
    x, y, z, w = s.row(0)[:4]
    assert (x.bold, x.dim, x.italic, x.underline, x.blink, x.reverse, x.strikethrough) == (True,) * 7
    assert not (y.bold or y.dim or y.italic or y.underline or y.blink or y.reverse or y.strikethrough)
    assert z.underline and not w.underline


def test_wide_and_combining_widths() -> None:
    s = screen()
    s.feed("中文|e\u0301|a\u2601\ufe0fb|\U0001f468\u200d\U0001f469\u200d\U0001f467|x".encode())
    row = s.row(0)
    assert row[0].char == "中" and row[0].width == 2 and row[1].char == "" and row[1].width == 0
    assert row[4].char == "|"
    assert row[5].char == "e\u0301" and row[5].width == 1
    # Width policy: grapheme clustering (mode 2027, MEASUREMENTS.md). VS16 makes an emoji presentation 2 wide
    # (tmux 3.3a keeps it 1), a ZWJ sequence is one 2-wide cluster and a flag is one 2-wide cluster (as in tmux).
    assert row[8].char == "\u2601\ufe0f" and row[8].width == 2 and row[9].char == ""
    assert row[10].char == "b"
    family = row[12]
    assert family.char == "\U0001f468\u200d\U0001f469\u200d\U0001f467" and family.width == 2
    assert row[14].char == "|" and row[15].char == "x"
    assert s.cursor[0] == 16


def test_wide_char_at_last_column_wraps() -> None:
    s = screen(5, 2)
    s.feed("abcd中".encode())
    assert text(s) == ["abcd", "中"]


def test_dec_2026_holds_dirty_rows_until_frame_end() -> None:
    now = [0.0]
    s = TerminalScreen(20, 5, clock=lambda: now[0])
    s.take_dirty()
    s.feed(b"\x1b[?2026h\x1b[1;1Hframe")
    assert s.modes.synchronized and s.take_dirty() == set()
    s.feed(b"\x1b[3;1Hmore")
    assert s.take_dirty() == set()
    s.feed(b"\x1b[?2026l")
    assert s.take_dirty() == {0, 2}


def test_dec_2026_timeout_releases_rows() -> None:
    now = [0.0]
    s = TerminalScreen(20, 5, clock=lambda: now[0])
    s.take_dirty()
    s.feed(b"\x1b[?2026hstuck")
    assert s.take_dirty() == set()
    now[0] = 1.0
    assert s.take_dirty() == {0}


def test_replies_da_dsr_cpr_decrqm() -> None:
    s = screen()
    s.feed(b"\x1b[3;5H\x1b[c\x1b[>c\x1b[5n\x1b[6n\x1b[?2026$p\x1b]11;?\x07\x1b[18t\x1b[8;50;200t")
    replies = s.take_replies()
    assert b"\x1b[?1;2c" in replies
    assert b"\x1b[>1;10;0c" in replies
    assert b"\x1b[0n" in replies
    assert b"\x1b[3;5R" in replies
    assert b"\x1b[?2026;2$y" in replies
    assert b"\x1b]11;rgb:" in replies
    assert b"\x1b[8;5;20t" in replies and (s.cols, s.rows) == (20, 5)  # size report; resize requests ignored
    assert s.take_replies() == b""


def test_mode_flags() -> None:
    s = screen()
    m = s.modes
    assert not (m.bracketed_paste or m.mouse_tracking or m.mouse_sgr or m.app_cursor_keys)
    s.feed(b"\x1b[?2004h\x1b[?1000h\x1b[?1006h\x1b[?1h\x1b[?25l")
    m = s.modes
    assert m.bracketed_paste and m.mouse_tracking and m.mouse_sgr and m.app_cursor_keys and not m.cursor_visible
    assert s.mouse_modes == {1000, 1006}
    s.feed(b"\x1b[?2004l\x1b[?1000l\x1b[?1l")
    assert not (s.modes.bracketed_paste or s.modes.mouse_tracking or s.modes.app_cursor_keys)


def test_title_osc_0_and_2() -> None:
    s = screen()
    s.feed(b"\x1b]0;first\x07")
    assert s.title == "first"
    s.feed(b"\x1b]2;second\x1b\\")
    assert s.title == "second"


def test_scrollback_bound_and_search() -> None:
    s = TerminalScreen(20, 3, scrollback=50)
    s.feed(b"".join(b"line %d\r\n" % i for i in range(200)))
    assert s.scrollback_lines == 50
    assert s.history_text(0) == "line 148"
    assert s.history_text(49) == "line 197"
    hits = s.search("LINE 19")
    assert [h.text for h in hits][:3] == ["line 190", "line 191", "line 192"]
    assert hits[-1].text == "line 199"  # the visible rows are searched too
    s.feed(b"\x1b[3J")
    assert s.scrollback_lines == 0


def test_sequences_split_across_chunks() -> None:
    s = screen()
    data = "\x1b[38;2;1;2;3mé中\x1b]2;title\x07ok".encode()
    for i in range(len(data)):
        s.feed(data[i:i + 1])
    assert text(s)[0] == "é中ok" and s.title == "title" and s.row(0)[0].fg == "#010203"


def test_dirty_rows_track_changes() -> None:
    s = screen(10, 5)
    s.take_dirty()
    s.feed(b"\x1b[3;1Hx")
    assert s.take_dirty() == {2}
    assert s.take_dirty() == set()


def test_resize_keeps_content_and_pushes_top_rows_to_history() -> None:
    s = screen(10, 5)
    s.feed(b"1\r\n2\r\n3\r\n4\r\n5")
    s.resize(8, 3)
    assert text(s) == ["3", "4", "5"] and s.scrollback_lines == 2
    s.resize(12, 4)  # growing pulls a line back out of the scrollback, as tmux does
    assert s.cols == 12 and s.rows == 4 and text(s) == ["2", "3", "4", "5"] and s.scrollback_lines == 1


def test_compacted_scrollback_reads_the_same() -> None:
    s = TerminalScreen(30, 3, scrollback=100)
    s.feed("\x1b[31mred\x1b[0m plain \u4e2d\u6587 e\u0301\r\n".encode() * 20 + b"\x1b[44mblue bg\x1b[0m\r\n" * 5)
    before = [(s.history_text(i), s.history_row(i)) for i in range(s.scrollback_lines)]
    assert s.compact() == 0
    after = [(s.history_text(i), s.history_row(i)) for i in range(s.scrollback_lines)]
    assert before == after
    assert s.search("blue bg") and s.history_row(0)[0].fg == "red"

"""`/` and `v` on the current pane: search and copy mode over its scrollback (fake engine: UI only)."""

from __future__ import annotations

from collections.abc import Callable

from gastown_tui.ui.app import GastownApp
from gastown_tui.ui.screens.help import HelpScreen
from widgets.scrollback_search import CopyModeScreen, ScrollbackLines

AppFactory = Callable[..., GastownApp]


async def test_slash_searches_the_current_pane(make_app: AppFactory) -> None:
    app = make_app(layout="1")
    copies: list[str] = []
    async with app.run_test(size=(120, 36)) as pilot:
        app.copy_to_clipboard = copies.append  # type: ignore[method-assign]
        await pilot.press("3", "slash")  # nux
        await pilot.pause()
        assert isinstance(app.screen, CopyModeScreen)
        await pilot.press(*"passed", "enter", "y", "escape")
        await pilot.pause()
        assert copies == ["4 passed in 0.02s"]
        assert not isinstance(app.screen, CopyModeScreen)
        await pilot.press("v")
        await pilot.pause()
        view = app.screen.query_one(ScrollbackLines)
        assert view.cursor == len(view.lines) - 1  # copy mode starts at the live end


async def test_help_lists_scrollback_keys(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table")
        rows = [" ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]
        assert any("Shift+PgUp" in row for row in rows) and any("mouse wheel" in row for row in rows)
        assert any("search-scrollback" in row for row in rows)

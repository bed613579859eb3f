"""MailList: unread markers, read pane follows the highlight, Enter posts Opened, mark_read clears the dot."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import OptionList, Static

from widgets.mail_list import MailItem, MailList

ITEMS = [
    MailItem("m1", "mayor", "Convoy landed", "All beads merged.", True, "10:00"),
    MailItem("m2", "witness", "nux is stuck", "Escalating: no output for 10m.", False, "09:58"),
]


class MailApp(App[None]):
    """Harness: one MailList; records Opened messages."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    def compose(self) -> ComposeResult:
        yield MailList()

    def on_mount(self) -> None:
        self.query_one(MailList).set_items(ITEMS)

    def on_mail_list_opened(self, message: MailList.Opened) -> None:
        self.opened.append(message.mail_id)
        message.mail_list.mark_read(message.mail_id)


def test_prompt_shows_unread_dot() -> None:
    assert MailList.prompt(ITEMS[0]).plain.startswith("● mayor")
    assert MailList.prompt(ITEMS[1]).plain.startswith("  witness")


async def test_read_pane_follows_highlight_and_enter_marks_read() -> None:
    app = MailApp()
    async with app.run_test(size=(70, 20)) as pilot:
        mail = app.query_one(MailList)
        assert mail.unread_count == 1
        app.query_one(OptionList).focus()
        await pilot.pause()
        assert "All beads merged." in str(app.query_one("#mail-body", Static).render())
        await pilot.press("down")
        await pilot.pause()
        assert "no output for 10m" in str(app.query_one("#mail-body", Static).render())
        await pilot.press("up", "enter")
        await pilot.pause()
        assert app.opened == ["m1"]
        assert mail.unread_count == 0


async def test_empty_inbox_says_so() -> None:
    class Empty(App[None]):
        def compose(self) -> ComposeResult:
            yield MailList()

    app = Empty()
    async with app.run_test(size=(60, 10)):
        assert "No message selected." in str(app.query_one("#mail-body", Static).render())


class EmptyMailApp(App[None]):
    """Harness: an inbox with nothing in it."""

    def compose(self) -> ComposeResult:
        yield MailList()

    def on_mount(self) -> None:
        self.query_one(MailList).set_items([])


async def test_empty_inbox_says_so() -> None:
    app = EmptyMailApp()
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.pause()
        body = str(app.query_one("#mail-body", Static).render())
        assert body.startswith("No mail.") and "compose" in body
        app.query_one(MailList).set_items(ITEMS)
        app.query_one(MailList).set_items([])
        await pilot.pause()
        assert str(app.query_one("#mail-body", Static).render()).startswith("No mail.")

"""ActivityFeed: formatting and the bound on kept lines."""

from __future__ import annotations

from textual.app import App, ComposeResult

from widgets.activity_feed import ActivityFeed, FeedEntry


class FeedApp(App[None]):
    """Harness: one bounded feed."""

    def compose(self) -> ComposeResult:
        yield ActivityFeed(max_lines=50)


def test_format_entry_columns() -> None:
    text = ActivityFeed.format_entry(FeedEntry("10:01", "nux", "sling", "wy-c3l → nux"))
    assert text.plain.startswith("10:01 nux")
    assert text.plain.endswith("wy-c3l → nux")


async def test_feed_keeps_at_most_max_lines() -> None:
    app = FeedApp()
    async with app.run_test(size=(80, 10)) as pilot:
        feed = app.query_one(ActivityFeed)
        feed.add_entries([FeedEntry("10:00", "deacon", "patrol.run", f"run {i}") for i in range(200)])
        await pilot.pause()
        assert feed.entries_added == 200
        assert len(feed.lines) == 50
        assert "run 199" in feed.lines[-1].text

"""ActivityFeed: formatting and the bound on kept lines."""

from __future__ import annotations

from textual.app import App, ComposeResult

from widgets.activity_feed import ActivityFeed, FeedEntry


class FeedApp(App[None]):
    """Harness: one bounded feed."""

    def compose(self) -> ComposeResult:
        yield ActivityFeed(max_lines=50)


def test_format_entry_columns() -> None:
    text = ActivityFeed().format_entry(FeedEntry("10:01", "nux", "sling", "wy-c3l → nux"))
    assert text.plain.startswith("10:01 nux    sling")  # actor column 6 wide until a longer actor is seen
    assert text.plain.endswith("wy-c3l → nux")


async def test_patrol_step_noise_hidden_until_toggled() -> None:
    app = FeedApp()
    async with app.run_test(size=(100, 30)) as pilot:
        feed = app.query_one(ActivityFeed)
        entries = [FeedEntry("10:00", "deacon", "patrol.step_done", f"step {i}") for i in range(8)]
        entries += [FeedEntry("10:01", "refinery", "merge.done", "de-b2k merged"),
                    FeedEntry("10:02", "demo/polecats/furiosa", "sling", "de-d4m → furiosa")]
        feed.add_entries(entries)
        await pilot.pause()
        shown = [line.text for line in feed.lines]
        assert len(shown) == 2 and feed.entries_hidden == 8
        assert "de-b2k merged" in shown[0]
        # the actor column grew to fit the longest actor (16 max), so the kind column lines up
        assert shown[0].index("merge.done") == shown[1].index("sling") == len("10:01 ") + 17
        feed.set_show_noise(True)
        await pilot.pause()
        assert len(feed.lines) == 10 and feed.entries_hidden == 0
        feed.set_show_noise(False)
        await pilot.pause()
        assert len(feed.lines) == 2


async def test_feed_keeps_at_most_max_lines() -> None:
    app = FeedApp()
    async with app.run_test(size=(80, 10)) as pilot:
        feed = app.query_one(ActivityFeed)
        feed.add_entries([FeedEntry("10:00", "deacon", "patrol.run", f"run {i}") for i in range(200)])
        await pilot.pause()
        assert feed.entries_added == 200
        assert len(feed.lines) == 50
        assert "run 199" in feed.lines[-1].text

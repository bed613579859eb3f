"""The default pane layout from the screen size and the number of live agents, and the sidebar widths it assumes.

The sidebars are proportional with minimums (app.tcss says the same numbers); a pane is only split off when
each pane keeps at least MIN_PANE_COLS x MIN_PANE_ROWS, so a 120-column screen no longer gets two 20-column
terminals, and 2 agents at 200x50 get a 2x1 split instead of a 2x2 with two empty panes.
"""

from __future__ import annotations

NARROW = 120
"""Below this width the right-hand tabs are hidden until asked for (then they replace the terminals)."""
LEFT = (0.18, 24, 40)
"""Left sidebar: fraction of the width, minimum and maximum columns."""
RIGHT = (0.26, 34, 60)
"""Right tabs: fraction of the width, minimum and maximum columns."""
MIN_PANE_COLS = 50
MIN_PANE_ROWS = 12
CHROME_ROWS = 2
"""Header and footer lines."""


def side_width(width: int, spec: tuple[float, int, int]) -> int:
    """Columns a sidebar takes at this screen width."""
    fraction, low, high = spec
    return max(low, min(high, int(width * fraction)))


def deck_width(width: int) -> int:
    """Columns left for the terminals."""
    right = 0 if width < NARROW else side_width(width, RIGHT)
    return max(1, width - side_width(width, LEFT) - right)


def default_layout(width: int, height: int, live_agents: int) -> str:
    """'1', '2x1', '2x2' or '3x3': the largest split that the live agents fill and that keeps panes readable."""
    cols_fit = deck_width(width) // MIN_PANE_COLS
    rows_fit = max(0, height - CHROME_ROWS) // MIN_PANE_ROWS
    if live_agents <= 1 or cols_fit < 2:
        return "1"
    if live_agents == 2 or rows_fit < 2:
        return "2x1"
    if live_agents <= 4 or cols_fit < 3 or rows_fit < 3:
        return "2x2"
    return "3x3"

"""Optional alerts when an agent starts needing the Overseer: the terminal bell and a desktop notification.

Off unless config.toml asks (a bell per permission prompt is noise to some and essential to others):

    [alerts]
    bell = true
    desktop = "osc9"      # or "osc777" (urxvt, foot, kitty's notify), or "off"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

DESKTOP_KINDS = ("off", "osc9", "osc777")


def _clean(text: str) -> str:
    """No control characters (an agent's text must not end the escape sequence early or inject another)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)[:200]


@dataclass(frozen=True)
class AlertSettings:
    """Bell on/off and which desktop-notification escape to send."""

    bell: bool = False
    desktop: str = "off"

    def desktop_sequence(self, title: str, body: str) -> str:
        """The OSC 9 / OSC 777 notification for the outer terminal ('' when off)."""
        title, body = _clean(title), _clean(body).replace(";", ",")
        if self.desktop == "osc9":
            return f"\x1b]9;{title}: {body}\x07"
        if self.desktop == "osc777":
            return f"\x1b]777;notify;{title.replace(';', ',')};{body}\x07"
        return ""


def read_alerts(path: Path) -> tuple[AlertSettings, list[str]]:
    """Settings from the `[alerts]` table, and problems (one line each) for bad values."""
    try:
        raw = tomllib.loads(path.read_text())
    except OSError:
        return AlertSettings(), []
    except tomllib.TOMLDecodeError as exc:
        return AlertSettings(), [f"{path}: {exc}"]
    table = raw.get("alerts", {})
    if not isinstance(table, dict):
        return AlertSettings(), [f"{path}: [alerts] must be a table"]
    problems = []
    bell = table.get("bell", False)
    if not isinstance(bell, bool):
        problems.append(f"{path}: alerts.bell must be true or false")
        bell = False
    desktop = table.get("desktop", "off")
    if desktop not in DESKTOP_KINDS:
        problems.append(f"{path}: alerts.desktop must be one of {', '.join(DESKTOP_KINDS)}")
        desktop = "off"
    return AlertSettings(bell, str(desktop)), problems

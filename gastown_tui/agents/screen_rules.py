"""Screen rules as data: per-runtime regexes that read idle / busy / waiting and known start-up dialogs off a screen."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml

from gastown_tui.agents.datafiles import read_data
from gastown_tui.errors import InvalidInput


@dataclass(frozen=True)
class Dialog:
    """A known start-up screen and the keys that answer it (sent only if town policy allows `name`)."""

    name: str
    match: re.Pattern[str]
    answer: tuple[str, ...]


@dataclass(frozen=True)
class ScreenRules:
    """Compiled rules for one runtime."""

    name: str
    lines: int = 12
    idle: tuple[re.Pattern[str], ...] = ()
    busy: tuple[re.Pattern[str], ...] = ()
    waiting: tuple[re.Pattern[str], ...] = ()
    permission: tuple[re.Pattern[str], ...] = ()
    approve: tuple[str, ...] = ()
    """Keys that approve a permission prompt (empty: unknown for this runtime)."""
    deny: tuple[str, ...] = ()
    """Keys that deny it."""
    dialogs: tuple[Dialog, ...] = field(default_factory=tuple)
    rate_limited: tuple[re.Pattern[str], ...] = ()   # a `(?P<retry>N)` group gives the seconds until the retry
    subject: tuple[re.Pattern[str], ...] = ()
    """What a permission prompt is about (groups `tool` and `subject`: "Bash command", "gt hook"), whole screen."""


@dataclass(frozen=True)
class ScreenVerdict:
    """What the screen says: a state (idle/working/waiting/dialog) or None, and which rule decided."""

    state: str | None
    rule: str = ""
    dialog: Dialog | None = None
    retry_in: float | None = None   # rate-limited: seconds until the runtime retries, when the screen says


def _compile(source: str, where: str, patterns: Any) -> tuple[re.Pattern[str], ...]:
    """Compile a list of regexes, naming the rule set and field on error."""
    if not isinstance(patterns, list):
        raise InvalidInput(f"{source}: {where} must be a list of regular expressions")
    out = []
    for pattern in patterns:
        try:
            out.append(re.compile(str(pattern), re.MULTILINE))
        except re.error as exc:
            raise InvalidInput(f"{source}: {where}: bad regular expression {pattern!r}: {exc}") from None
    return tuple(out)


def compile_rules(name: str, raw: dict[str, Any], source: str = "screen_rules.yaml") -> ScreenRules:
    """Build ScreenRules from a raw table (from screen_rules.yaml or an inline town.toml table)."""
    if not isinstance(raw, dict):
        raise InvalidInput(f"{source}: screen rules {name!r} must be a table")
    dialogs = []
    for i, item in enumerate(raw.get("dialogs") or []):
        where = f"{name}.dialogs[{i}]"
        if not isinstance(item, dict) or "name" not in item or "match" not in item:
            raise InvalidInput(f"{source}: {where} needs 'name' and 'match'")
        (pattern,) = _compile(source, f"{where}.match", [item["match"]])
        dialogs.append(Dialog(str(item["name"]), pattern, tuple(str(k) for k in item.get("answer") or ())))
    return ScreenRules(
        name=name,
        lines=int(raw.get("lines", 12)),
        idle=_compile(source, f"{name}.idle", raw.get("idle") or []),
        busy=_compile(source, f"{name}.busy", raw.get("busy") or []),
        waiting=_compile(source, f"{name}.waiting", raw.get("waiting") or []),
        permission=_compile(source, f"{name}.permission", raw.get("permission") or []),
        approve=tuple(str(k) for k in raw.get("approve") or ()),
        deny=tuple(str(k) for k in raw.get("deny") or ()),
        dialogs=tuple(dialogs),
        rate_limited=_compile(source, f"{name}.rate_limited", raw.get("rate_limited") or []),
        subject=_compile(source, f"{name}.subject", raw.get("subject") or []),
    )


@cache
def _builtin_tables() -> dict[str, Any]:
    """The raw shipped rule sets."""
    return yaml.safe_load(read_data("screen_rules.yaml")) or {}


def rules_for(screen: str | dict[str, Any]) -> ScreenRules:
    """Rules for a runtime's `screen` field: a shipped rule-set name, or an inline table of rules."""
    if isinstance(screen, dict):
        return compile_rules("inline", screen, "town.toml")
    tables = _builtin_tables()
    if screen not in tables:
        raise InvalidInput(f"screen_rules.yaml: no rule set named {screen!r} (known: {', '.join(sorted(tables))})")
    return compile_rules(screen, tables[screen])


def _bottom(display: list[str], count: int) -> str:
    """The last `count` non-blank lines of a screen, joined (NBSP normalised, as agents pad prompts with it)."""
    lines = [line.replace("\u00a0", " ").rstrip() for line in display]
    lines = [line for line in lines if line.strip()]
    return "\n".join(lines[-count:])


def _line_at(text: str, index: int, limit: int = 120) -> str:
    """The screen line holding `index`, stripped and clipped (a permission question such as "Do you want to make
    this edit to calc.py?")."""
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    line = text[start:end if end >= 0 else len(text)].strip()
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _subject(rules: ScreenRules, whole: str) -> str:
    """' (Bash command: gt hook)' from the last `subject` match on screen, or '' (the question alone says it)."""
    for pattern in rules.subject:
        matches = list(pattern.finditer(whole))
        if matches:
            found = matches[-1].groupdict()
            tool, subject = (found.get("tool") or "").strip(), (found.get("subject") or "").strip()
            what = f"{tool}: {subject}" if tool and subject else tool or subject
            return f" ({what[:119] + '…' if len(what) > 120 else what})" if what else ""
    return ""


def classify_screen(rules: ScreenRules, display: list[str]) -> ScreenVerdict:
    """Apply the rules in order dialogs → rate_limited → permission → waiting → busy → idle; the first match decides."""
    text = _bottom(display, rules.lines)
    whole = "\n".join(display)
    for dialog in rules.dialogs:
        if dialog.match.search(whole):
            return ScreenVerdict("dialog", f"dialog {dialog.name}: /{dialog.match.pattern}/", dialog)
    for pattern in rules.rate_limited:  # before busy: a runtime waiting to retry still shows its spinner
        match = pattern.search(text)
        if match:
            retry = match.groupdict().get("retry")
            return ScreenVerdict("rate-limited", f"{rules.name}.rate_limited: /{pattern.pattern}/",
                                 retry_in=float(retry) if retry else None)
    for state, patterns in (("permission", rules.permission), ("waiting", rules.waiting), ("working", rules.busy),
                            ("idle", rules.idle)):
        for pattern in patterns:
            match = pattern.search(text)
            if match:
                rule = f"{rules.name}.{'busy' if state == 'working' else state}: /{pattern.pattern}/"
                if state in ("permission", "waiting"):  # the Overseer's reason: what the agent asks, in its words
                    rule += f' on "{_line_at(text, match.start())}"'
                if state == "permission":
                    rule += _subject(rules, whole)
                return ScreenVerdict(state, rule)
    return ScreenVerdict(None)

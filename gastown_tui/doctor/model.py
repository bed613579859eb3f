"""What a doctor check reports."""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("ok", "warn", "error")


@dataclass(frozen=True)
class Finding:
    """One result of one check: a line for the user, what to do, and the safe fix (if any) `--fix` may apply."""

    check: str
    level: str                 # ok | warn | error
    message: str
    todo: str = ""             # what the user should do (shown when there is no safe automatic fix)
    fix: str = ""              # id of a safe automatic fix in doctor/fixes.py, "" when none
    target: str = ""           # what the fix acts on (a path, an agent address, ...)

    def line(self) -> str:
        """One line: level, check, message and what to do."""
        todo = f" -> {self.todo}" if self.todo and self.level != "ok" else ""
        return f"{self.level:5} {self.check}: {self.message}{todo}"

    def to_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"check": self.check, "level": self.level, "message": self.message, "todo": self.todo,
                "fix": self.fix, "target": self.target}


def problems(findings: list[Finding]) -> list[Finding]:
    """The findings that need attention (warn or error)."""
    return [f for f in findings if f.level != "ok"]

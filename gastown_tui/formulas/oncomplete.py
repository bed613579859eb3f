"""`on_complete`: when a step closes with a result, bond a formula once per item of a list in that result.

`on_complete = {for_each = "output.files", bond = "review-file", vars = {path = "{item.path}"}, parallel = true}`:
closing the step with result `{"files": [...]}` (`gt mol step done --result JSON`) pours `review-file` once per
item, with `{item}`, `{item.<field>}` and `{index}` filled into the vars. Each bonded molecule is attached to the
step's bead; `sequential = true` chains them (each root blocked by the previous one), otherwise they run in parallel.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from gastown_tui.errors import InvalidInput

if TYPE_CHECKING:
    from gastown_tui.ledger import Ledger

_MARK = re.compile(r"\{(item(?:\.[A-Za-z0-9_]+)*|index)\}")


def _lookup(result: Any, path: str, step_id: str) -> list[Any]:
    """The list at `output.a.b` inside the step's result."""
    parts = path.split(".")
    if parts[0] != "output":
        raise InvalidInput(f"step {step_id}: on_complete.for_each must start with 'output.', got {path!r}")
    value = result
    for part in parts[1:]:
        if not isinstance(value, dict) or part not in value:
            raise InvalidInput(f"step {step_id}: the result has no {path!r} for on_complete.for_each")
        value = value[part]
    if not isinstance(value, list):
        raise InvalidInput(f"step {step_id}: on_complete.for_each {path!r} is not a list in the result")
    return value


def _fill(text: str, item: Any, index: int) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1) == "index":
            return str(index)
        value = item
        for part in match.group(1).split(".")[1:]:
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value if isinstance(value, str) else json.dumps(value)
    return _MARK.sub(one, text)


def fan_out(ledger: "Ledger", step_bead: str, step_id: str, rule: dict[str, Any], result: Any, *,
            ephemeral: bool, actor: str) -> list[str]:
    """Pour `rule["bond"]` once per item; returns the bonded molecule ids in item order."""
    from gastown_tui.formulas.molecule import pour

    items = _lookup(result, str(rule.get("for_each", "")), step_id)
    bond = rule.get("bond")
    if not isinstance(bond, str) or not bond:
        raise InvalidInput(f"step {step_id}: on_complete needs bond = \"<formula>\"")
    raw_vars = rule.get("vars", {}) if isinstance(rule.get("vars", {}), dict) else {}
    sequential = bool(rule.get("sequential")) and not rule.get("parallel")
    poured: list[str] = []
    for index, item in enumerate(items, start=1):
        values = {k: _fill(str(v), item, index) for k, v in raw_vars.items()}
        mol = pour(ledger, bond, values, ephemeral=ephemeral, attach_to=step_bead, actor=actor)
        if sequential and poured:
            ledger.add_dep(mol.id, poured[-1], "blocks", actor=actor)
        poured.append(mol.id)
    return poured

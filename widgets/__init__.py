"""Reusable Textual widgets (terminal view, DAG view, convoy tree, mail list, activity feed, agent list).

This package never imports `gastown_tui`: widgets take plain data and post messages. Names resolve lazily
(PEP 562) so importing one widget does not import them all.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "ActivityFeed": "activity_feed", "FeedEntry": "activity_feed",
    "AgentInfo": "agent_list", "AgentList": "agent_list",
    "ConvoyInfo": "convoy_tree", "ConvoyTree": "convoy_tree", "TrackedBead": "convoy_tree",
    "DagNode": "dag_layout", "DagView": "dag_view",
    "MailItem": "mail_list", "MailList": "mail_list",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(f"widgets.{module}"), name)

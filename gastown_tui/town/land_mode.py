"""Where a rig's merged work lands: choose the mode at `rig add`, and say it in one sentence for the Overseer.

The upstream is the project's real home: a URL or bare repository given as SOURCE is itself the upstream; a local
working clone (the common `rig add calc ~/src/calc`) lands on that clone's own `origin`, the remote its owner pushes
to; a clone with no remote has no upstream and lands locally, in the rig's repo.git, from where one `git pull`
brings the work into the clone.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from gastown_tui import gitops
from gastown_tui.errors import InvalidInput
from gastown_tui.town.config import LAND_MODES, RigConfig
from gastown_tui.town.paths import RigPaths


@dataclass(frozen=True)
class LandingChoice:
    """The landing mode chosen for a new rig and the upstream it lands on ('' for local)."""

    land: str
    upstream: str


def choose(source: str, requested: str | None = None) -> LandingChoice:
    """Default: push when the source has an upstream, else local; `requested` (push/pr/local) overrides."""
    if requested is not None and requested not in LAND_MODES:
        raise InvalidInput(f"invalid landing mode {requested!r} (use {', '.join(LAND_MODES)})")
    upstream = gitops.upstream_of(source) or ""
    if requested in ("push", "pr") and not upstream:
        raise InvalidInput(f"cannot land by {requested}: {source} has no remote to push to "
                           "(give its URL or a clone with an origin, or use --land local)")
    land = requested or ("push" if upstream else "local")
    return LandingChoice(land, upstream)  # kept for local too: switching to push later needs no lookup


def confirm(paths: RigPaths, choice: LandingChoice, branch: str, *, requested: str | None) -> tuple[
        LandingChoice, str]:
    """Check that the upstream would take a push (a dry run); if not, and the Overseer did not ask for push/pr
    explicitly, land locally instead. Returns the choice and a note saying why it changed ('' if it did not)."""
    if choice.land == "local" or requested is not None:
        return choice, ""
    refused = gitops.push_refused(paths, choice.upstream, branch)
    if not refused:
        return choice, ""
    return LandingChoice("local", choice.upstream), (
        f"{choice.upstream} would not take a push ({refused}); landing locally until you set land = \"push\"")


def describe(paths: RigPaths, config: RigConfig) -> str:
    """One sentence: where merged work of this rig ends up (printed by `rig add` and `rig show`)."""
    branch = config.default_branch
    review = " after your review (gt mq approve)" if config.review == "human" else ""
    if config.land == "push":
        return f"Merged work is pushed to {config.upstream} ({branch}){review}."
    if config.land == "pr":
        return (f"Merged work becomes a pull request against {branch} on {config.upstream}{review}; "
                "a bead closes when its PR merges.")
    pull = shlex.join(["git", "-C", config.source, "pull", str(paths.bare_repo), branch]) if config.source else ""
    where = f"Merged work lands locally on {branch} in {paths.bare_repo}{review}"
    return f"{where}; to bring it into your clone: {pull}" if pull and not gitops.is_url(config.source) else where + "."


def compare_url(upstream: str, target: str, branch: str) -> str:
    """A web compare URL for GitHub-style hosts (https or scp-like ssh), else a description to act on."""
    m = re.match(r"^(?:https?://|ssh://git@|git@)([^/:]+)[/:](.+?)(?:\.git)?/?$", upstream)
    if m is None:
        return f"branch {branch} on {upstream} (against {target})"
    return f"https://{m.group(1)}/{m.group(2)}/compare/{target}...{branch}?expand=1"

"""gitops against real repositories: worktrees, commits, merged-ness, rebase, fast-forward, the rig fence."""

from __future__ import annotations

from pathlib import Path

import pytest

from gastown_tui import gitops
from gastown_tui.errors import Conflict, InvalidInput, NotFound
from gastown_tui.town.paths import RigPaths
from tests.town.conftest import git


def _polecat(rig: RigPaths, name: str = "ace", bead: str = "gt-1") -> tuple[Path, str]:
    branch = f"polecat/{name}/{bead}"
    return gitops.add_worktree(rig, rig.polecat(name), branch), branch


def _commit_file(tree: Path, name: str, text: str, message: str) -> str:
    (tree / name).write_text(text)
    sha = gitops.commit_all(tree, message)
    assert sha is not None
    return sha


def test_clone_sets_default_branch_and_refinery(rig: RigPaths) -> None:
    assert gitops.default_branch(rig) == "main"
    assert gitops.current_branch(rig.refinery) == "main"
    assert [e.subject for e in gitops.log_oneline(rig.refinery, "HEAD", 5)] == ["second", "first"]
    assert gitops.branch_exists(rig, "dev")


def test_worktree_add_list_remove(rig: RigPaths) -> None:
    tree, branch = _polecat(rig)
    assert tree == rig.polecat("ace").resolve()
    assert gitops.head_sha(tree) == gitops.head_sha(rig.refinery)
    listed = {w.branch: w for w in gitops.list_worktrees(rig)}
    assert set(listed) == {"main", branch}
    assert listed[branch].path.resolve() == tree
    with pytest.raises(Conflict, match="already checked out"):
        gitops.add_worktree(rig, rig.polecat("bob"), branch)
    gitops.remove_worktree(rig, tree)
    assert not tree.exists()
    assert [w.branch for w in gitops.list_worktrees(rig)] == ["main"]
    assert gitops.branch_exists(rig, branch)  # the branch (the work) outlives the worktree


def test_existing_branch_is_reattached(rig: RigPaths) -> None:
    tree, branch = _polecat(rig)
    sha = _commit_file(tree, "a.txt", "a\n", "work")
    gitops.remove_worktree(rig, tree)
    again = gitops.add_worktree(rig, rig.polecat("ace"), branch)
    assert gitops.head_sha(again) == sha


def test_remove_refuses_dirty_unless_forced(rig: RigPaths) -> None:
    tree, _ = _polecat(rig)
    (tree / "scratch.txt").write_text("x")
    assert gitops.has_uncommitted(tree)
    with pytest.raises(Conflict, match="uncommitted"):
        gitops.remove_worktree(rig, tree)
    gitops.remove_worktree(rig, tree, force=True)
    assert not tree.exists()


def test_remove_refuses_detached_commits_on_no_branch(rig: RigPaths) -> None:
    tree, _ = _polecat(rig)
    git(tree, "checkout", "-q", "--detach")
    _commit_file(tree, "b.txt", "b\n", "orphan")
    with pytest.raises(Conflict, match="no branch"):
        gitops.remove_worktree(rig, tree)


def test_commit_all_returns_sha_or_none(rig: RigPaths) -> None:
    tree, branch = _polecat(rig)
    assert gitops.commit_all(tree, "nothing") is None
    sha = _commit_file(tree, "new.txt", "n\n", "-starts with dash")
    assert gitops.head_sha(tree) == sha
    assert not gitops.has_uncommitted(tree)
    assert gitops.log_oneline(rig, branch, 1)[0].subject == "-starts with dash"
    assert gitops.push_branch(tree, branch) == sha  # shared refs: already "pushed"
    assert gitops.commits_ahead(rig, branch, "main") == 1


def test_push_branch_from_detached_head_fast_forwards_only(rig: RigPaths) -> None:
    tree, _ = _polecat(rig)
    git(tree, "checkout", "-q", "--detach")
    sha = _commit_file(tree, "c.txt", "c\n", "detached work")
    assert gitops.push_branch(tree, "polecat/ace/copy") == sha
    assert gitops.branch_exists(rig, "polecat/ace/copy")
    with pytest.raises(Conflict, match="checked out"):
        gitops.push_branch(tree, "main")


def test_is_merged_and_unmerged_branches(rig: RigPaths) -> None:
    tree, branch = _polecat(rig)
    assert gitops.is_merged(rig, branch, "main")  # no commits yet
    _commit_file(tree, "x.txt", "x\n", "x")
    assert not gitops.is_merged(rig, branch, "main")
    assert gitops.unmerged_branches(rig) == [branch]
    with pytest.raises(Conflict):
        gitops.delete_branch(rig, branch)  # checked out
    gitops.remove_worktree(rig, tree)
    with pytest.raises(Conflict, match="not merged"):
        gitops.delete_branch(rig, branch)
    gitops.delete_branch(rig, branch, force=True)
    assert not gitops.branch_exists(rig, branch)
    with pytest.raises(Conflict, match="default branch"):
        gitops.delete_branch(rig, "main", force=True)


def test_rebase_then_fast_forward_marks_branch_merged(rig: RigPaths) -> None:
    tree, branch = _polecat(rig)
    _commit_file(tree, "feature.txt", "f\n", "feature")
    # main moves on meanwhile, so the branch needs a real rebase
    _commit_file(rig.refinery, "other.txt", "o\n", "other")
    result = gitops.rebase_onto(rig.refinery, branch, "main")
    assert result.ok and result.conflicts == [] and result.head
    assert gitops.current_branch(rig.refinery) is None  # detached at the rebased tip, gates run here
    assert gitops.fast_forward(rig.refinery, "main", result.head)
    assert gitops.current_branch(rig.refinery) == "main"
    assert gitops.head_sha(rig.refinery) == result.head
    assert gitops.is_merged(rig, branch, "main")  # patch-equivalent after the rebase
    assert gitops.unmerged_branches(rig) == []
    assert gitops.merge_base(rig, branch, "main") is not None


def test_rebase_conflict_aborts_and_leaves_worktree_clean(rig: RigPaths) -> None:
    tree, branch = _polecat(rig)
    _commit_file(tree, "README.md", "polecat version\n", "polecat edit")
    before = gitops.head_sha(rig.refinery)
    _commit_file(rig.refinery, "README.md", "main version\n", "main edit")
    main_tip = gitops.head_sha(rig.refinery)
    assert main_tip != before
    result = gitops.rebase_onto(rig.refinery, branch, "main")
    assert not result.ok
    assert result.conflicts == ["README.md"]
    assert not gitops.has_uncommitted(rig.refinery)
    assert gitops.current_branch(rig.refinery) == "main"
    assert gitops.head_sha(rig.refinery) == main_tip


def test_rebase_in_place_moves_the_branch(rig: RigPaths) -> None:
    tree, branch = _polecat(rig)
    _commit_file(tree, "f.txt", "f\n", "feature")
    main_tip = _commit_file(rig.refinery, "o.txt", "o\n", "other")
    result = gitops.rebase_onto(tree, branch, "main")
    assert result.ok
    assert gitops.merge_base(rig, branch, "main") == main_tip
    assert gitops.current_branch(tree) == branch


def test_fast_forward_refuses_non_fast_forward(rig: RigPaths) -> None:
    tree, branch = _polecat(rig)
    tip = _commit_file(tree, "f.txt", "f\n", "feature")
    main_tip = _commit_file(rig.refinery, "o.txt", "o\n", "other")
    assert not gitops.fast_forward(rig.refinery, "main", tip)
    assert gitops.head_sha(rig.refinery) == main_tip


def test_reset_hard_cleans(rig: RigPaths) -> None:
    start = gitops.head_sha(rig.refinery)
    _commit_file(rig.refinery, "o.txt", "o\n", "other")
    (rig.refinery / "junk.txt").write_text("junk")
    gitops.reset_hard(rig.refinery, start)
    assert gitops.head_sha(rig.refinery) == start
    assert not (rig.refinery / "junk.txt").exists()


def test_refuses_paths_outside_the_rig(rig: RigPaths, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="outside rig"):
        gitops.add_worktree(rig, tmp_path / "elsewhere", "polecat/x/y")
    with pytest.raises(InvalidInput, match="outside rig"):
        gitops.add_worktree(rig, rig.root / ".." / "escape", "polecat/x/y")
    with pytest.raises(InvalidInput, match="bare repository"):
        gitops.add_worktree(rig, rig.bare_repo / "inner", "polecat/x/y")
    with pytest.raises(InvalidInput):
        gitops.add_worktree(rig, rig.polecat("ace"), "-bad")
    other = tmp_path / "plain"
    other.mkdir()
    git(other, "init", "-q")
    with pytest.raises(InvalidInput, match="not a worktree of a rig"):
        gitops.has_uncommitted(other)
    with pytest.raises(NotFound):
        gitops.has_uncommitted(tmp_path / "missing")
    assert not (tmp_path / "elsewhere").exists() and not (tmp_path / "town" / "escape").exists()


def test_merged_branch_deletes_without_force_after_rebase_merge(rig: RigPaths) -> None:
    tree, branch = _polecat(rig)
    _commit_file(tree, "feature.txt", "f\n", "feature")
    _commit_file(rig.refinery, "other.txt", "o\n", "other")
    result = gitops.rebase_onto(rig.refinery, branch, "main")
    assert result.ok and result.head and gitops.fast_forward(rig.refinery, "main", result.head)
    gitops.remove_worktree(rig, tree)
    gitops.delete_branch(rig, branch)  # no force needed: the rebased commits are on main
    assert not gitops.branch_exists(rig, branch)


def test_remove_worktree_whose_directory_vanished(rig: RigPaths) -> None:
    import shutil

    tree, _ = _polecat(rig)
    shutil.rmtree(tree)
    assert [w.prunable for w in gitops.list_worktrees(rig) if w.branch != "main"] == [True]
    gitops.remove_worktree(rig, tree)
    assert [w.branch for w in gitops.list_worktrees(rig)] == ["main"]
    with pytest.raises(NotFound):
        gitops.remove_worktree(rig, tree)


def test_inherited_git_location_variables_are_ignored(rig: RigPaths, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """As inside a git hook of another repository: GIT_DIR/GIT_INDEX_FILE must not redirect our commands."""
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    tree, branch = _polecat(rig)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    sha = _commit_file(tree, "hooked.txt", "h\n", "from a hook")
    assert gitops.head_sha(tree) == sha
    assert gitops.branch_exists(rig, branch) and gitops.unmerged_branches(rig) == [branch]
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_INDEX_FILE")
    monkeypatch.delenv("GIT_WORK_TREE")
    assert git(other, "rev-list", "--all") == ""  # nothing landed in the other repository
    assert git(tree, "log", "-1", "--format=%s") == "from a hook"
    # the commit holds the worktree's files, not the other repository's (empty) index
    assert set(git(tree, "ls-tree", "--name-only", "HEAD").split()) == {"README.md", "app.py", "hooked.txt"}


def test_discard_removes_a_registered_or_half_made_worktree_and_keeps_the_branch(rig: RigPaths) -> None:
    """What a killed sling leaves: a registered worktree (dirty or not), or a directory git never registered."""
    path, branch = _polecat(rig, "ace")
    (path / "scratch.txt").write_text("left by nobody\n")
    gitops.discard_worktree(rig, path)
    assert not path.exists() and gitops.branch_exists(rig, branch)
    assert path.resolve() not in {Path(w.path).resolve() for w in gitops.list_worktrees(rig)}

    half = rig.polecat("bob")
    (half / "sub").mkdir(parents=True)  # `git worktree add` killed before it registered anything
    gitops.discard_worktree(rig, half)
    assert not half.exists()

    with pytest.raises(InvalidInput):  # fenced: never outside the rig
        gitops.discard_worktree(rig, rig.root.parent / "elsewhere")

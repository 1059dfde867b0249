"""Where `gkeplan init` puts what it writes: the spec in DIR, the CI files at the root of
the git repository holding DIR, since that is the only place each tool reads them.

GitHub reads workflows from `.github/workflows` at the repository's root ("searches the
`.github/workflows` directory in the root of your repository", docs.github.com's
triggering-a-workflow page as amended in github/docs#32459); pre-commit changes to the root
(`git rev-parse --show-toplevel`) before it opens `.pre-commit-config.yaml`, a path relative
to it (pre-commit's main.py `_adjust_args_and_chdir`, constants.CONFIG_FILE).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gkeplan.errors import UsageError

HOOK_IDS = ("gkeplan-validate", "gkeplan-fmt")


@dataclass(frozen=True)
class Placement:
    directory: Path  # where the spec goes
    root: Path  # the git repository's root, or `directory` when it is in none
    in_git: bool

    def spec_path(self, name: str) -> str:
        """The spec's path as the workflow names it: relative to the root, with '/'."""
        return (self.directory.resolve() / name).relative_to(self.root.resolve()).as_posix()


def _existing_parent(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def place(directory: Path) -> Placement:
    """DIR and the root of its git repository (`git rev-parse --show-toplevel`)."""
    git = shutil.which("git")
    if git is not None:
        found = subprocess.run(
            [git, "rev-parse", "--show-toplevel"],
            cwd=_existing_parent(directory),
            capture_output=True,
            text=True,
            check=False,
        )
        if found.returncode == 0 and found.stdout.strip():
            return Placement(directory, Path(found.stdout.strip()), True)
    return Placement(directory, directory, False)


def shown(path: Path) -> str:
    """A path as the person typed it: relative to the working directory when under it."""
    rel = os.path.relpath(path.absolute(), Path.cwd())
    return path.as_posix() if rel.startswith("..") else Path(rel).as_posix()


def merged_gitignore(existing: str | None, line: str) -> str | None:
    """The .gitignore with `line` in it, or None when it is there already."""
    if existing is None:
        return f"# gkeplan's local state, locks and sandbox (gkeplan init)\n{line}\n"
    if line in (ln.strip() for ln in existing.splitlines()):
        return None
    sep = "" if not existing or existing.endswith("\n") else "\n"
    return f"{existing}{sep}{line}\n"


def merged_pre_commit(existing: str | None, ours: str, where: str) -> str | None:
    """The pre-commit config with gkeplan's repository entry: `ours` for a new file; for an
    existing one, its text with our entry appended to `repos:` (a ruamel.yaml round trip, so
    its comments and layout stay), or None when it already runs a gkeplan hook."""
    if existing is None:
        return ours
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError

    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    try:
        data = yaml.load(existing)
    except YAMLError as exc:
        raise UsageError(f"{where} is not YAML ({exc}); nothing was written") from exc
    if data is None:
        data = CommentedMap()
    repos = data.get("repos") if isinstance(data, CommentedMap) else None
    if not isinstance(data, CommentedMap) or not isinstance(repos, (CommentedSeq, type(None))):
        raise UsageError(
            f"{where} has no `repos:` list as pre-commit reads it; nothing was written"
        )
    if repos is None:
        repos = data["repos"] = CommentedSeq()
    for repo in repos:
        hooks = repo.get("hooks", []) if isinstance(repo, CommentedMap) else []
        if any(isinstance(h, CommentedMap) and h.get("id") in HOOK_IDS for h in hooks):
            return None
    repos.append(yaml.load(ours)["repos"][0])
    # the FILL IN line of ours sits on `repos:`, which is theirs: it goes above our entry
    fill_in = next(ln.strip()[2:] for ln in ours.splitlines() if "FILL IN" in ln)
    repos.yaml_set_comment_before_after_key(len(repos) - 1, before=fill_in, indent=2)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()

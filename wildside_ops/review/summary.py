"""What a merge would change, as Markdown for the pull request's job summary.

It compares two synth outputs (the base branch's and the pull request's, each
written by ``cdktf synth``): per stack, the resources added, changed and
removed; the platform manifests by file and by Kubernetes object (so a chart
bump reads as one changed HelmRelease); and, at the very top, any resource
protected from destruction in the base that the change removes or leaves
unprotected. The publisher's dry-run diff of the GitOps tree, when given, is
appended as it printed it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CAUTION = "> [!CAUTION]"


@dataclass
class StackChange:
    stack: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


@dataclass
class Review:
    stacks: list[StackChange]
    # GitOps path -> added / changed / removed, and the objects changed in it.
    files: dict[str, str]
    objects: dict[str, list[str]]
    unprotected: list[str]


def _load(outdir: Path) -> dict[str, dict[str, Any]]:
    stacks: dict[str, dict[str, Any]] = {}
    root = outdir / "stacks"
    if root.is_dir():
        for path in sorted(root.glob("*/cdk.tf.json")):
            stacks[path.parent.name] = json.loads(path.read_text(encoding="utf-8"))
    return stacks


def _resources(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for kind, named in (stack.get("resource") or {}).items():
        for name, body in named.items():
            found[f"{kind}.{name}"] = body
    return found


def _without_metadata(body: Any) -> Any:
    # cdktf's "//" blocks hold construct paths, not what the engine applies.
    if isinstance(body, dict):
        return {k: _without_metadata(v) for k, v in body.items() if k != "//"}
    if isinstance(body, list):
        return [_without_metadata(v) for v in body]
    return body


def _protected(body: dict[str, Any]) -> bool:
    return (body.get("lifecycle") or {}).get("prevent_destroy") is True


def _rendered(stack: dict[str, Any] | None) -> dict[str, str]:
    if stack is None:
        return {}
    value = (stack.get("output") or {}).get("rendered_manifests", {}).get("value", {})
    return {path: text.replace("$${", "${") for path, text in value.items()}


def _objects(text: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for doc in yaml.safe_load_all(text):
        if isinstance(doc, dict) and "kind" in doc:
            meta = doc.get("metadata") or {}
            name = "/".join(p for p in (meta.get("namespace"), meta.get("name")) if p)
            found[f"{doc['kind']} {name}"] = doc
    return found


def compare(base_out: Path, head_out: Path) -> Review:
    base, head = _load(base_out), _load(head_out)
    stacks: list[StackChange] = []
    unprotected: list[str] = []
    for name in sorted(set(base) | set(head)):
        before = _resources(base.get(name, {}))
        after = _resources(head.get(name, {}))
        change = StackChange(name)
        change.added = sorted(set(after) - set(before))
        change.removed = sorted(set(before) - set(after))
        change.changed = sorted(
            key
            for key in set(before) & set(after)
            if _without_metadata(before[key]) != _without_metadata(after[key])
        )
        stacks.append(change)
        for key, body in sorted(before.items()):
            if not _protected(body):
                continue
            if key not in after:
                unprotected.append(f"`{key}` ({name}) is removed: it is protected from destruction")
            elif not _protected(after[key]):
                unprotected.append(f"`{key}` ({name}) loses `lifecycle.prevent_destroy`")
    before_files = _rendered(base.get("platform-stack"))
    after_files = _rendered(head.get("platform-stack"))
    files: dict[str, str] = {}
    objects: dict[str, list[str]] = {}
    for path in sorted(set(before_files) | set(after_files)):
        old, new = before_files.get(path), after_files.get(path)
        if old == new:
            continue
        files[path] = "added" if old is None else "removed" if new is None else "changed"
        old_objects, new_objects = _objects(old or ""), _objects(new or "")
        objects[path] = [
            key
            for key in sorted(set(old_objects) | set(new_objects))
            if old_objects.get(key) != new_objects.get(key)
        ]
    return Review(stacks, files, objects, unprotected)


def markdown(review: Review, *, title: str, gitops_diff: str = "") -> str:
    lines = [f"## {title}", ""]
    if review.unprotected:
        lines += [CAUTION, "> **Destroy protection would be weakened by this change:**"]
        lines += [f"> - {item}" for item in review.unprotected]
        lines.append("")
    lines += ["### Synthesised resources", "", "| stack | added | changed | removed |"]
    lines.append("| --- | --- | --- | --- |")
    for change in review.stacks:
        cells = (
            ", ".join(f"`{k}`" for k in keys) or "none"
            for keys in (change.added, change.changed, change.removed)
        )
        lines.append(f"| {change.stack} | {' | '.join(cells)} |")
    lines += ["", "### Platform manifests", ""]
    if not review.files:
        lines.append("No rendered manifest changes.")
    for path, state in review.files.items():
        changed = ", ".join(review.objects.get(path, [])) or "formatting only"
        lines.append(f"- {state} `{path}`: {changed}")
    if gitops_diff.strip():
        lines += ["", "<details><summary>GitOps tree diff (publisher dry run)</summary>", ""]
        lines += ["```diff", gitops_diff.rstrip("\n"), "```", "", "</details>"]
    return "\n".join(lines) + "\n"

"""Rules a GitOps tree must keep for Flux and kustomize to apply it as rendered.

Every rule is a pure function of ``files`` (GitOps path -> parsed YAML), so the
same code checks the tree at synth time and a checkout read from disk. A file
holding several YAML documents maps to a list of them. Each problem names the
path and starts with the rule's name.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from wildside_constructs.model import FLUX_SOURCE_NAME
from wildside_constructs.problems import Problem
from wildside_constructs.promotion import awaits_promotion, shared_path
from wildside_constructs.validation.observability_rules import observability_problems
from wildside_constructs.validation.sops import SECRET_FIELDS, is_sops_encrypted

Files = Mapping[str, Any]
SECRETS_FOLDER = "platform/secrets/clusters/"
KUSTOMIZATION = "kustomization.yaml"
SOURCES_FOLDER = "platform/sources/"
SOURCE_KINDS = ("HelmRepository", "OCIRepository")
_FLUX_KUSTOMIZE = "kustomize.toolkit.fluxcd.io/"
_HELM = "helm.toolkit.fluxcd.io/"
_SOURCE = "source.toolkit.fluxcd.io/"
# semver.org's grammar, with the leading "v" Helm accepts (jetstack tags charts v1.19.2).
_NUMBER = r"(?:0|[1-9]\d*)"
_IDENT = r"(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
EXACT_SEMVER = re.compile(
    rf"^v?{_NUMBER}\.{_NUMBER}\.{_NUMBER}"
    rf"(?:-{_IDENT}(?:\.{_IDENT})*)?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$"
)
# Flux reads chart.spec.version as a constraint; these make it match many releases.
_RANGE = re.compile(r"[\^~<>*|\s]|(?:^|\.)[xX](?:\.|$)")


def documents(value: Any) -> Iterator[dict[str, Any]]:
    """The mappings of one file: a single document or each of a multi-document file."""
    for document in value if isinstance(value, list) else [value]:
        if isinstance(document, dict):
            yield document


def manifests(files: Files, api_prefix: str, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(files):
        for document in documents(files[path]):
            if str(document.get("apiVersion", "")).startswith(api_prefix) and (
                document.get("kind") == kind
            ):
                yield path, document


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _namespace(document: Mapping[str, Any]) -> str:
    return str(_mapping(document.get("metadata")).get("namespace") or "default")


def _name(document: Mapping[str, Any]) -> str:
    return str(_mapping(document.get("metadata")).get("name", ""))


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def resolve(folder: str, entry: str) -> str | None:
    """``entry`` relative to ``folder`` as a repository path; None if it leaves the tree."""
    if posixpath.isabs(entry) or "://" in entry:
        return None
    joined = posixpath.normpath(posixpath.join(folder, entry))
    if joined == ".":
        return ""
    return None if joined == ".." or joined.startswith("../") else joined


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def kustomize_entries(document: Mapping[str, Any]) -> list[str]:
    """What a kustomization reads: resources, components and patch files."""
    entries = [*_list(document.get("resources")), *_list(document.get("components"))]
    entries += [p.get("path") for p in _list(document.get("patches")) if isinstance(p, dict)]
    return [entry for entry in entries if isinstance(entry, str)]


def applied_files(files: Files, folder: str) -> set[str]:
    """Every file ``kustomize build folder`` reads, following directory bases."""
    applied: set[str] = set()
    pending: list[str] = [folder]
    seen: set[str] = set()
    while pending:
        current = pending.pop()
        kustomization = _join(current, KUSTOMIZATION)
        if current in seen or not isinstance(files.get(kustomization), dict):
            continue
        seen.add(current)
        applied.add(kustomization)
        for entry in kustomize_entries(files[kustomization]):
            target = resolve(current, entry)
            if target is not None and target in files:
                applied.add(target)
            elif target is not None:
                pending.append(target)
    return applied


def reads_this_repository(document: Mapping[str, Any]) -> bool:
    """Whether a Flux Kustomization's path is in this repository.

    One whose sourceRef is another source names a path in that source, which
    this tree cannot check.
    """
    ref = _mapping(_mapping(document.get("spec")).get("sourceRef"))
    return not ref or (ref.get("kind"), ref.get("name")) == ("GitRepository", FLUX_SOURCE_NAME)


def flux_path(document: Mapping[str, Any]) -> Any:
    # Flux applies the source's root when spec.path is unset.
    return _mapping(document.get("spec")).get("path", "./")


def flux_folder(document: Mapping[str, Any]) -> str | None:
    """The repository folder a Flux Kustomization applies, or None if not one here."""
    path = flux_path(document)
    if not reads_this_repository(document) or not isinstance(path, str):
        return None
    return resolve("", path)


def cluster_of(path: str) -> str:
    parts = path.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "clusters" else ""


def cluster_applied(files: Files) -> dict[str, set[str]]:
    """Cluster name -> every file its Flux Kustomizations apply."""
    applied: dict[str, set[str]] = {}
    for path, document in manifests(files, _FLUX_KUSTOMIZE, "Kustomization"):
        folder = flux_folder(document)
        if cluster_of(path) and folder is not None:
            reached = applied.setdefault(cluster_of(path), set())
            reached |= applied_files(files, folder)
    return applied


# --- HelmRelease: chart source rendered, version pinned -------------------------------


def _sources(files: Files, paths: Collection[str] | None = None) -> set[tuple[str, str, str]]:
    return {
        (kind, _namespace(document), _name(document))
        for kind in SOURCE_KINDS
        for path, document in manifests(files, _SOURCE, kind)
        if shared_path(path).startswith(SOURCES_FOLDER) and (paths is None or path in paths)
    }


def _chart_ref(release: Mapping[str, Any]) -> tuple[dict[str, Any] | None, Any, bool]:
    """(sourceRef or chartRef, chart version, whether a version applies)."""
    spec = _mapping(release.get("spec"))
    chart = _mapping(_mapping(spec.get("chart")).get("spec"))
    if chart:
        return _mapping(chart.get("sourceRef")), chart.get("version"), True
    if isinstance(spec.get("chartRef"), dict):
        # The version then lives on the referenced OCIRepository, not here.
        return spec["chartRef"], None, False
    return None, None, False


def _ref_key(ref: Mapping[str, Any], release: Mapping[str, Any]) -> tuple[str, str, str]:
    namespace = ref.get("namespace") or _namespace(release)
    return str(ref.get("kind", "")), str(namespace), str(ref.get("name", ""))


def version_problem(version: Any) -> str | None:
    """Why ``version`` does not pin exactly one chart release, or None."""
    if version is None or version == "":
        return "chart version is missing; pin an exact version"
    if not isinstance(version, str):
        return f"chart version {version!r} is not a string; quote an exact version"
    if _RANGE.search(version):
        return f"chart version {version!r} is a range; pin an exact version"
    if not EXACT_SEMVER.match(version):
        return f"chart version {version!r} is not exact semver (MAJOR.MINOR.PATCH)"
    return None


def helm_release_problems(files: Files) -> list[Problem]:
    problems: list[Problem] = []
    rendered = _sources(files)
    for path, release in manifests(files, _HELM, "HelmRelease"):
        ref, version, versioned = _chart_ref(release)
        if ref is None:
            problems.append(
                Problem(path, "helmrelease-source: neither spec.chart.spec nor spec.chartRef")
            )
            continue
        key = _ref_key(ref, release)
        if key not in rendered:
            problems.append(
                Problem(
                    path,
                    f"helmrelease-source: sourceRef {'/'.join(key)} is not rendered; "
                    f"render it under {SOURCES_FOLDER}",
                )
            )
        why = version_problem(version) if versioned else None
        if why:
            problems.append(Problem(path, f"helmrelease-version: {why}"))
    return problems + _unselected_sources(files, rendered)


def _unselected_sources(files: Files, rendered: set[tuple[str, str, str]]) -> list[Problem]:
    """A release a cluster applies whose rendered source that cluster does not apply."""
    problems: list[Problem] = []
    for cluster, applied in sorted(cluster_applied(files).items()):
        selected = _sources(files, applied)
        for path, release in manifests(files, _HELM, "HelmRelease"):
            ref, _version, _versioned = _chart_ref(release)
            key = _ref_key(ref, release) if ref is not None else None
            if path in applied and key in rendered and key not in selected:
                problems.append(
                    Problem(
                        path,
                        f"helmrelease-source: sourceRef {'/'.join(key)} is not applied on "
                        f"cluster {cluster}; list its folder in clusters/{cluster}/sources/",
                    )
                )
    return problems


# --- kustomize: every resource exists, every file is listed ---------------------------


def _resource_problem(files: Files, folder: str, entry: str) -> str | None:
    target = resolve(folder, entry)
    if target is None:
        return f"resource {entry} is outside the repository; render it into the tree"
    if target in files or _join(target, KUSTOMIZATION) in files:
        return None
    if awaits_promotion(target, files.keys()):
        return None
    if any(path.startswith(f"{target}/") for path in files):
        return f"directory base {entry} has no {KUSTOMIZATION}"
    return f"resource {entry} is not rendered"


def kustomization_problems(files: Files) -> list[Problem]:
    problems: list[Problem] = []
    listed: dict[str, set[str]] = {}
    for path in sorted(files):
        if posixpath.basename(path) != KUSTOMIZATION:
            continue
        folder = posixpath.dirname(path)
        document = files[path]
        if not isinstance(document, dict):
            problems.append(Problem(path, "kustomization-resource: not a single YAML mapping"))
            listed[folder] = set()
            continue
        entries = kustomize_entries(document)
        listed[folder] = {resolve(folder, entry) or "" for entry in entries}
        for entry in entries:
            why = _resource_problem(files, folder, entry)
            if why:
                problems.append(Problem(path, f"kustomization-resource: {why}"))
    for path in sorted(files):
        folder = posixpath.dirname(path)
        if posixpath.basename(path) == KUSTOMIZATION:
            continue
        kustomization = _join(folder, KUSTOMIZATION)
        if folder not in listed:
            message = f"{kustomization} is not rendered, so nothing applies this file"
        elif path not in listed[folder]:
            message = f"not listed in {kustomization}, so nothing applies this file"
        else:
            continue
        problems.append(Problem(path, f"kustomization-unlisted: {message}"))
    return problems


# --- Secrets: no literal values in git --------------------------------------------------


def secret_problems(files: Files) -> list[Problem]:
    problems: list[Problem] = []
    secrets = (
        (path, doc)
        for path in sorted(files)
        for doc in documents(files[path])
        if (doc.get("apiVersion"), doc.get("kind")) == ("v1", "Secret")
    )
    for path, secret in secrets:
        carried = [field for field in SECRET_FIELDS if secret.get(field)]
        # A SOPS-encrypted Secret is the one kind of Secret Git may hold: Flux
        # decrypts it in the cluster with the age key delivered from Vault.
        if carried and not is_sops_encrypted(secret):
            problems.append(
                Problem(
                    path,
                    f"secret-literal: Secret {_namespace(secret)}/{_name(secret)} carries "
                    f"literal {' and '.join(carried)}; deliver it through an ExternalSecret, "
                    "or encrypt it with `wildside secrets set`",
                )
            )
    return problems


def tree_problems(files: Files) -> list[Problem]:
    """Every rule in this module, over one rendered tree or a whole checkout."""
    # Component rule modules import this one's helpers, so they load at call time.
    from wildside_constructs.validation.flux_rules import flux_kustomization_problems
    from wildside_constructs.validation.messaging import messaging_problems

    return [
        *helm_release_problems(files),
        *kustomization_problems(files),
        *secret_problems(files),
        *flux_kustomization_problems(files),
        *messaging_problems(files),
        *observability_problems(files),
    ]

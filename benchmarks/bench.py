"""Benchmarks: where synth and publish time goes, against the binding-load floor.

Run with ``make bench``. Prints a table with PASS/FAIL per target and exits 0
whatever the figures: absolute times on shared machines are noisy, so targets
are ratios measured within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from app.runtime import prepare_node  # noqa: E402

BINDINGS = ("cdktf", "cdktf_cdktf_provider_digitalocean", "cdktf_cdktf_provider_kubernetes")
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@dataclass
class Row:
    name: str
    figure: str
    target: str = ""
    passed: bool | None = None


SCRATCH: dict[str, str] = {}


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WILDSIDE_")}
    env.update(SCRATCH)
    prepare_node(env)
    env.update(GIT_IDENTITY)
    env.update(extra or {})
    return env


def _timed(cmd: Sequence[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=PROJECT, check=True, capture_output=True)
    return time.perf_counter() - started


def median_of(runs: int, action: Callable[[], float]) -> float:
    return statistics.median(action() for _ in range(runs))


def app_bindings(work: Path) -> list[str]:
    """The binding packages a full synth really loads, so the floor stays fair."""
    target = Path(tempfile.mkdtemp(dir=work))
    code = (
        "import sys, json; from app.cli import main; "
        f"main(['synth', '--no-publish', '--outdir', {str(target / 'out')!r}]); "
        f"print(json.dumps([b for b in {list(BINDINGS)!r} if b in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(),
        cwd=PROJECT,
        check=True,
        capture_output=True,
        text=True,
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def floor(runs: int, bindings: Sequence[str]) -> float:
    """A fresh process importing exactly the binding packages the app imports."""
    code = "; ".join(f"import {name}" for name in bindings)
    return median_of(runs, lambda: _timed([sys.executable, "-c", code], _env()))


def full_synth(runs: int, work: Path) -> tuple[float, int]:
    """``wildside synth`` into a fresh GitOps repository each run; peak RSS too."""
    peak = 0

    def one() -> float:
        nonlocal peak
        target = Path(tempfile.mkdtemp(dir=work))
        env = _env({"WILDSIDE_GITOPS_DIR": str(target / "gitops")})
        cmd = [sys.executable, "-m", "app", "synth", "--outdir", str(target / "out")]
        started = time.perf_counter()
        process = subprocess.Popen(
            cmd, env=env, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"synth failed: {' '.join(cmd)}")
        peak = max(peak, usage.ru_maxrss)
        return elapsed

    return median_of(runs, one), peak


def render_path(work: Path) -> tuple[float, bool]:
    """The platform-only path, in a process that reports what it loaded."""
    target = Path(tempfile.mkdtemp(dir=work))
    code = (
        "import sys, json; from app.cli import main; "
        f"rc = main(['render', '--outdir', {str(target / 'out')!r}]); "
        "print(json.dumps({'rc': rc, 'k8s': 'cdktf_cdktf_provider_kubernetes' in sys.modules}))"
    )
    env = _env({"WILDSIDE_GITOPS_DIR": str(target / "gitops")})
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=PROJECT,
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return elapsed, bool(report["k8s"])


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=_env()
    ).stdout.strip()


def no_op(work: Path) -> tuple[float, int, int, float, bool]:
    """Publish, re-run unchanged, then re-run with a changed configuration.

    Returns the unchanged re-run's wall time, files written and commits made,
    then the changed run's wall time and whether it really synthesised again.
    """
    target = Path(tempfile.mkdtemp(dir=work))
    gitops = target / "gitops"
    env = _env({"WILDSIDE_GITOPS_DIR": str(gitops)})
    cmd = [sys.executable, "-m", "app", "synth", "--outdir", str(target / "out")]
    subprocess.run(cmd, env=env, cwd=PROJECT, check=True, capture_output=True)
    commits = int(_git(gitops, "rev-list", "--count", "HEAD"))
    stamps = {p: p.stat().st_mtime_ns for p in gitops.rglob("*") if ".git" not in p.parts}
    elapsed = _timed(cmd, env)
    written = sum(
        1
        for p in gitops.rglob("*")
        if ".git" not in p.parts and stamps.get(p) != p.stat().st_mtime_ns
    )
    made = int(_git(gitops, "rev-list", "--count", "HEAD")) - commits
    changed_env = {**env, "WILDSIDE_DOMAIN": "changed.example.com"}
    started = time.perf_counter()
    changed = subprocess.run(
        [*cmd, "--no-publish"], env=changed_env, cwd=PROJECT, check=True, capture_output=True
    )
    changed_time = time.perf_counter() - started
    resynthesised = b"loading CDKTF" in changed.stderr
    return elapsed, written, made, changed_time, resynthesised


def publish_scaling(runs: int, work: Path, others: Sequence[int]) -> dict[int, float]:
    """Publish one cluster into repositories already holding N other clusters."""
    prepare_node()
    from tests.support import config, render_platform
    from wildside_ops.gitops import PublishRequest, publish

    rendered = render_platform(config(), schemas=False).rendered
    results: dict[int, float] = {}
    for count in (0, *others):
        seed = Path(tempfile.mkdtemp(dir=work)) / "seed"
        for index in range(count):
            name = f"other-{index}"
            files = {
                path.replace("clusters/dev/", f"clusters/{name}/"): text
                for path, text in rendered.items()
            }
            files = {p: t.replace("/clusters/dev/", f"/clusters/{name}/") for p, t in files.items()}
            publish(
                PublishRequest(cluster=name, files=files, components=(), workdir=seed),
                log=lambda _m: None,
            )

        def one(seed: Path = seed) -> float:
            copy = Path(tempfile.mkdtemp(dir=work)) / "repo"
            if seed.exists():
                shutil.copytree(seed, copy)
            request = PublishRequest(cluster="dev", files=rendered, components=(), workdir=copy)
            started = time.perf_counter()
            publish(request, log=lambda _m: None)
            return time.perf_counter() - started

        results[count] = median_of(runs, one)
    return results


def contention_rows(work: Path) -> list[Row]:
    """20 and 50 publishers for different clusters at once; all must land."""
    prepare_node()
    from benchmarks.concurrency import race
    from tests.support import config, render_platform

    rendered = render_platform(config(), schemas=False).rendered
    env = _env({"PYTHONPATH": str(PROJECT)})
    single = race(work, rendered, 1, env)
    rows = [Row("one publisher alone", f"{single.seconds:.2f} s")]
    for count in (20, 50):
        found = race(work, rendered, count, env)
        rows.append(
            Row(
                f"{count} concurrent publishers landed",
                f"{found.landed}/{count}",
                f"{count}/{count}",
                found.landed == count,
            )
        )
        ratio = found.seconds / single.seconds
        rows.append(
            Row(
                f"{count} concurrent publishers wall time",
                f"{found.seconds:.1f} s = {ratio:.1f} x one",
            )
        )
    return rows


def test_suite() -> float:
    """``make test`` as a user runs it (parallel workers, set-up already done)."""
    return _timed(["make", "--no-print-directory", "test"], _env())


def preview_rows(runs: int, work: Path) -> list[Row]:
    """`wildside app deploy`: one process, 50 at once, and into 500 previews."""
    from benchmarks import previews

    env = _env()
    print("[bench] wildside app deploy ...", file=sys.stderr)
    wall = previews.deploy_wall(env, work, runs)
    # The interpreter's bare start-up on this machine, for reading the figure above.
    start = median_of(runs, lambda: _timed([sys.executable, "-c", "pass"], env))
    rows = [
        Row("wildside app deploy, one process", f"{wall:.2f} s", "<= 1.0 s", wall <= 1.0),
        Row("python start-up (python -c pass)", f"{start * 1000:.0f} ms"),
    ]
    print("[bench] 50 concurrent deploys, then 50 teardowns ...", file=sys.stderr)
    landed, left, seconds = previews.concurrent(env, work, 50)
    rows.append(
        Row(
            "50 concurrent deploys landed", f"{landed}/50 in {seconds:.0f} s", "50/50", landed == 50
        )
    )
    rows.append(Row("previews left after 50 teardowns", str(left), "0", left == 0))
    print("[bench] deploy into 500 previews vs empty ...", file=sys.stderr)
    empty, full = previews.scaling(env, work, runs, 500)
    ratio = full / empty
    rows.append(Row("deploy into empty apps repository", f"{empty * 1000:.0f} ms"))
    rows.append(
        Row("deploy into 500 previews vs empty", f"{ratio:.2f} x", "<= 1.5 x", ratio <= 1.5)
    )
    return rows


def render_table(rows: list[Row]) -> str:
    width = max(len(r.name) for r in rows)
    lines = [f"{'measure'.ljust(width)}  {'figure':>24}  {'target':<28} result"]
    for row in rows:
        verdict = "" if row.passed is None else ("PASS" if row.passed else "FAIL")
        lines.append(f"{row.name.ljust(width)}  {row.figure:>24}  {row.target:<28} {verdict}")
    return "\n".join(lines)


def _setup_previews_and_suite(args: argparse.Namespace, work: Path) -> list[Row]:
    rows: list[Row] = []
    if not args.skip_setup:
        print("[bench] Python set-up from nothing: uv, then pip ...", file=sys.stderr)
        from benchmarks.setup_time import python_setup

        uv_time, pip_time = python_setup(work, _env, _timed, PROJECT)
        rows.append(Row("Python set-up, pip (venv + pip install -e)", f"{pip_time:.1f} s"))
        rows.append(
            Row(
                "Python set-up, uv sync from uv.lock",
                f"{uv_time:.1f} s = {uv_time / pip_time:.2f} x pip",
                "<= 0.25 x pip",
                uv_time / pip_time <= 0.25,
            )
        )
    rows.extend(preview_rows(args.runs, work))
    if not args.skip_tests:
        print("[bench] make test ...", file=sys.stderr)
        rows.append(Row("make test wall time", f"{test_suite():.1f} s"))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per median (default 5)")
    parser.add_argument("--skip-tests", action="store_true", help="do not time `make test`")
    parser.add_argument(
        "--skip-setup", action="store_true", help="do not time the Python set-up (uv vs pip)"
    )
    parser.add_argument("--previews-only", action="store_true", help="only the preview figures")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    if args.previews_only:
        with tempfile.TemporaryDirectory(prefix="wildside-bench-") as scratch:
            rows = preview_rows(args.runs, Path(scratch))
        print(render_table(rows))
        return 0
    with tempfile.TemporaryDirectory(prefix="wildside-bench-") as scratch:
        work = Path(scratch)
        # Synth-cache records of these runs stay in the scratch folder.
        SCRATCH["XDG_CACHE_HOME"] = str(work / "xdg-cache")
        print(f"[bench] binding-load floor, median of {args.runs} ...", file=sys.stderr)
        bindings = app_bindings(work)
        base = floor(args.runs, bindings)
        rows.append(Row(f"binding-load floor ({', '.join(bindings)})", f"{base:.2f} s"))
        print("[bench] full synth + publish ...", file=sys.stderr)
        full, peak = full_synth(args.runs, work)
        ratio = full / base
        rows.append(
            Row(
                "full synth + publish",
                f"{full:.2f} s = {ratio:.2f} x floor",
                "<= 1.30 x floor",
                ratio <= 1.3,
            )
        )
        rows.append(Row("peak RSS of the synth process", f"{peak / 1024:.0f} MiB"))
        print("[bench] platform-only render path ...", file=sys.stderr)
        seconds, loaded = render_path(work)
        rows.append(Row("platform-only render (wildside render)", f"{seconds:.2f} s"))
        rows.append(
            Row(
                "render path loads Kubernetes bindings", "yes" if loaded else "no", "no", not loaded
            )
        )
        print("[bench] no-op re-run and a changed configuration ...", file=sys.stderr)
        elapsed, written, commits, changed, resynthesised = no_op(work)
        rows.append(
            Row(
                "no-op synth (cache reused, no bindings)",
                f"{elapsed:.2f} s = {elapsed / base:.2f} x floor",
                "<= 0.30 x floor",
                elapsed / base <= 0.3,
            )
        )
        rows.append(
            Row(
                "no-op re-run files written / commits",
                f"{written} / {commits}",
                "0 / 0",
                written == 0 and commits == 0,
            )
        )
        rows.append(
            Row(
                "changed config re-synthesises",
                f"{'yes' if resynthesised else 'no'}, {changed:.2f} s",
                "yes",
                resynthesised,
            )
        )
        print("[bench] publish into repositories with other clusters ...", file=sys.stderr)
        scaling = publish_scaling(args.runs, work, (1, 10, 50))
        for count, value in scaling.items():
            label = "empty repository" if count == 0 else f"{count} other clusters"
            rows.append(Row(f"publish into {label}", f"{value * 1000:.0f} ms"))
        growth = scaling[50] / scaling[0]
        rows.append(
            Row("publish growth, 50 others vs empty", f"{growth:.2f} x", "<= 1.20 x", growth <= 1.2)
        )
        print("[bench] concurrent publishers on one remote ...", file=sys.stderr)
        rows += contention_rows(work)
        rows += _setup_previews_and_suite(args, work)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rows.append(Row("largest child process RSS (incl. jsii Node)", f"{usage / 1024:.0f} MiB"))
    print(render_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

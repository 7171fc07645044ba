"""Run OpenTofu (or Terraform) on a synthesised stack: init, plan, apply.

``plan`` maps the engine's ``-detailed-exitcode`` onto three outcomes users
and CI branch on: no changes (0), error (1) and changes pending (2).
``deploy`` applies the saved plan only when it holds changes, so a run with
nothing to do touches nothing. The engine runs without a shell, with
TF_IN_AUTOMATION=1, and its output is streamed as it arrives.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import TextIO

from app.log import say
from wildside_constructs.cluster.errors import encryption_problem, is_terraform
from wildside_ops.retry import RetryPolicy, classify

ENGINE_ENV = "TERRAFORM_BINARY_NAME"
DEFAULT_ENGINE = "tofu"
PLAN_FILE = "wildside.tfplan"
# Lines of engine output kept for the error summary.
_TAIL = 40


class EngineError(Exception):
    """The engine is missing, unsuitable or failed; the message says which."""


class PlanOutcome(IntEnum):
    NO_CHANGES = 0
    ERROR = 1
    CHANGES = 2


@dataclass(frozen=True)
class Run:
    returncode: int
    output: tuple[str, ...]

    def error_text(self) -> str:
        """The engine's ``Error:`` blocks, else the last lines it printed."""
        lines = list(self.output)
        starts = [i for i, line in enumerate(lines) if line.lstrip("│ ").startswith("Error")]
        chosen = lines[starts[0] :] if starts else lines[-_TAIL:]
        return "\n".join(line.rstrip() for line in chosen[-_TAIL * 2 :]).strip()


def resolve_engine(environ: Mapping[str, str]) -> str:
    """The engine binary: TERRAFORM_BINARY_NAME if set, else ``tofu``."""
    named = environ.get(ENGINE_ENV, "").strip()
    path = environ.get("PATH", os.defpath)
    if named:
        found = shutil.which(named, path=path)
        if found is None:
            raise EngineError(f"{ENGINE_ENV}={named!r} names no executable on PATH")
        return found
    found = shutil.which(DEFAULT_ENGINE, path=path)
    if found is None:
        raise EngineError(
            f"OpenTofu ({DEFAULT_ENGINE}) is not on PATH. Install it, or set "
            f"{ENGINE_ENV}=terraform to run Terraform instead"
        )
    return found


def check_stack(stack_dir: Path, engine: str) -> None:
    """Refuse a stack the engine cannot run faithfully, before running anything."""
    config = stack_dir / "cdk.tf.json"
    if not config.is_file():
        raise EngineError(f"{config} does not exist; synthesise the stack first")
    synthesised = json.loads(config.read_text(encoding="utf-8"))
    if "encryption" in synthesised.get("terraform", {}) and is_terraform(engine):
        raise EngineError(str(encryption_problem(Path(engine).name)))


@dataclass
class Engine:
    binary: str
    stack_dir: Path
    environ: Mapping[str, str]
    stream: TextIO | None = None
    log: Callable[[str], None] = say
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    retries: int = 0

    @property
    def name(self) -> str:
        return Path(self.binary).name

    def run(self, *args: str) -> Run:
        """Run ``<engine> -chdir=<stack> args``, streaming its output line by line."""
        out = self.stream or sys.stdout
        env = {**self.environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
        command = [self.binary, f"-chdir={self.stack_dir}", *args]
        self.log(f"{self.name} {args[0]} ({self.stack_dir}) ...")
        started = time.perf_counter()
        kept: list[str] = []
        try:
            process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1,
            )
        except OSError as error:
            raise EngineError(f"cannot run {self.binary}: {error}") from error
        assert process.stdout is not None
        with process:
            for line in process.stdout:
                out.write(line)
                out.flush()
                kept.append(line)
                del kept[: -_TAIL * 4]
        code = process.returncode
        self.log(f"{self.name} {args[0]}: exit {code} after {time.perf_counter() - started:.1f}s")
        return Run(code, tuple(kept))

    def should_retry(self, command: str, done: Run) -> bool:
        """After a failure: wait and return True when it is worth another try."""
        found = classify(done.error_text())
        if found is None:
            return False
        kind, line = found
        self.retries += 1
        delay = self.retry.wait(kind, self.retries)
        if delay is None:
            self.log(f"{self.name} {command}: {kind} ({line}); retry budget spent, giving up")
            return False
        self.log(
            f"{self.name} {command}: {kind} ({line}); "
            f"retry {self.retries}/{self.retry.attempts} in {delay:.1f}s"
        )
        self.retry.sleep(delay)
        return True

    def run_retrying(self, *args: str, ok: tuple[int, ...] = (0,)) -> Run:
        """``run``, again after a rate limit or transient error, within the budget."""
        while True:
            done = self.run(*args)
            if done.returncode in ok or not self.should_retry(args[0], done):
                return done

    def init(self) -> None:
        # -reconfigure: a cdktf.out folder is shared between clusters, and a
        # changed backend key must switch state, never migrate it.
        done = self.run_retrying("init", "-input=false", "-no-color", "-reconfigure")
        if done.returncode != 0:
            raise EngineError(f"{self.name} init failed:\n{done.error_text()}")

    def plan(self, *, save: bool, lock_timeout: str) -> tuple[PlanOutcome, Run]:
        args = ["plan", "-detailed-exitcode", "-input=false", "-no-color"]
        args.append(f"-lock-timeout={lock_timeout}")
        plan_file = self.stack_dir / PLAN_FILE
        plan_file.unlink(missing_ok=True)
        if save:
            args.append(f"-out={PLAN_FILE}")
        done = self.run_retrying(*args, ok=(0, 2))
        outcome = {0: PlanOutcome.NO_CHANGES, 2: PlanOutcome.CHANGES}
        return outcome.get(done.returncode, PlanOutcome.ERROR), done

    def apply_saved_plan(self, *, lock_timeout: str) -> Run:
        return self.run(
            "apply", "-input=false", "-no-color", f"-lock-timeout={lock_timeout}", PLAN_FILE
        )


def plan_stack(
    stack_dir: Path,
    environ: Mapping[str, str],
    *,
    apply: bool = False,
    lock_timeout: str = "2m",
    stream: TextIO | None = None,
    retry: RetryPolicy | None = None,
) -> PlanOutcome:
    """Init and plan; with ``apply``, apply the saved plan when it has changes.

    Rate limits and transient API errors are retried within ``retry``'s
    budget (wildside_ops/retry.py); a failed apply is retried by planning
    again. Returns the plan's outcome; raises :class:`EngineError` when the
    engine is missing or init, plan or apply fails for good.
    """
    binary = resolve_engine(environ)
    check_stack(stack_dir, binary)
    if retry is None:
        try:
            retry = RetryPolicy.from_environ(environ)
        except ValueError as error:
            raise EngineError(str(error)) from error
    engine = Engine(binary, stack_dir, environ, stream=stream, retry=retry)
    engine.init()
    plan_file = stack_dir / PLAN_FILE
    try:
        while True:
            outcome, done = engine.plan(save=apply, lock_timeout=lock_timeout)
            if outcome is PlanOutcome.ERROR:
                raise EngineError(f"{engine.name} plan failed:\n{done.error_text()}")
            if outcome is not PlanOutcome.CHANGES or not apply:
                break
            applied = engine.apply_saved_plan(lock_timeout=lock_timeout)
            if applied.returncode == 0:
                break
            # A failed apply leaves the saved plan stale: plan again, then apply.
            if not engine.should_retry("apply", applied):
                raise EngineError(f"{engine.name} apply failed:\n{applied.error_text()}")
    finally:
        # A saved plan holds the state's values: it does not outlive the run.
        plan_file.unlink(missing_ok=True)
    return outcome


def describe(outcome: PlanOutcome) -> str:
    return {
        PlanOutcome.NO_CHANGES: "no changes: the infrastructure matches the configuration",
        PlanOutcome.CHANGES: "changes pending: the plan above lists them",
        PlanOutcome.ERROR: "error",
    }[outcome]


def stack_folder(outdir: Path, stack: str) -> Path:
    return outdir / "stacks" / stack

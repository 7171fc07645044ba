"""The preview-role reaper's SQL against a real PostgreSQL, exactly as rendered.

Roles are created by the role Job's own command and SQL (from a rendered
preview), the reaper runs the psql command and script of the rendered
CronJob and ConfigMap, in a folder holding the owners' list its first
container would write. Only marked, orphaned, old-enough preview roles go.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.platform.datastore_helpers import applied, render
from tests.platform.postgres_server import Server, postgres_server, unavailable_reason
from tests.platform.test_preview_role_reaper import preview_context
from wildside_constructs.preview_roles import LIVE_OWNERS_FILE
from wildside_ops.apps.preview_docs import preview_documents

pytestmark = pytest.mark.skipif(bool(unavailable_reason()), reason=unavailable_reason())
UNIT = "apps-preview-role-reaper"


@pytest.fixture(scope="module")
def reaper() -> dict[str, Any]:
    """The reaper's psql container and script, as Flux applies them to the preview cluster."""
    stack = render()
    cron_job = applied(stack, UNIT, "cronjob.yaml")
    config_map = applied(stack, UNIT, "configmap.yaml")
    (container,) = cron_job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    (script,) = config_map["data"].values()
    return {"container": container, "script": script}


@pytest.fixture
def server() -> Iterator[Server]:
    with postgres_server() as running:
        yield running


def _role_job(number: int) -> dict[str, Any]:
    return next(
        doc
        for doc in preview_documents(preview_context(), number)
        if doc["kind"] == "Job" and doc["metadata"]["name"] == f"pr-{number}-db-role"
    )


def create_preview_role(server: Server, number: int) -> None:
    """Run preview ``number``'s role Job: its shell command, its SQL, a password."""
    (container,) = _role_job(number)["spec"]["template"]["spec"]["containers"]
    plain = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    env = {
        **server.env,
        "ROLE": plain["ROLE"],
        "ROLE_SQL": plain["ROLE_SQL"],
        "ROLE_PASSWORD": f"secret{number}",
    }
    done = subprocess.run(
        container["command"], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr


def backdate(server: Server, *roles: str, seconds: int = 7200) -> None:
    """Make the markers of ``roles`` as old as a role Job that ran ``seconds`` ago."""
    names = ",".join(f"'{role}'" for role in roles)
    server.psql(
        "SELECT format('COMMENT ON ROLE %I IS %L', rolname, regexp_replace("  # noqa: S608 - the tests' own names
        "shobj_description(oid, 'pg_authid'), 'set at [0-9]+', 'set at ' || "
        f"(floor(extract(epoch FROM now()))::bigint - {seconds}))) "
        f"FROM pg_roles WHERE rolname IN ({names}) \\gexec\n"
    )


def run_reaper(
    server: Server, reaper: dict[str, Any], folder: Path, live: list[str] | None
) -> subprocess.CompletedProcess[str]:
    """The CronJob's psql command; ``live`` is the Database owners' list (None: missing)."""
    folder.mkdir(exist_ok=True)
    container, command = reaper["container"], list(reaper["container"]["command"])
    script = folder / "reap.sql"
    script.write_text(reaper["script"])
    command[0] = str(server.bin_dir / command[0])
    command[command.index("--file") + 1] = str(script)
    owners = folder / LIVE_OWNERS_FILE
    owners.unlink(missing_ok=True)
    if live is not None:
        owners.write_text("".join(f"{owner}\n" for owner in live))
    # The container's libpq settings, pointed at the test server.
    names = {e["name"] for e in container["env"]}
    assert {"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD"} <= names
    return subprocess.run(
        command,
        cwd=folder,
        env=server.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def roles(server: Server) -> set[str]:
    return set(server.psql("SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_'").split())


def test_the_role_job_marks_its_role_and_sets_its_password(server: Server) -> None:
    create_preview_role(server, 12)
    create_preview_role(server, 12)  # again: idempotent, as a recreated Job runs
    marker = server.psql("SELECT shobj_description(oid, 'pg_authid') FROM pg_roles "
                         "WHERE rolname = 'pr_12' AND rolcanlogin")  # fmt: skip
    assert marker.startswith("wildside preview 12, set at ") and marker.endswith(" (Unix time)")
    login = subprocess.run(
        [str(server.bin_dir / "psql"), "-X", "-At", "-c", "SELECT current_user", "-d", "postgres"],
        env={**server.env, "PGUSER": "pr_12", "PGPASSWORD": "secret12"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert login.returncode == 0 and login.stdout.strip() == "pr_12", login.stderr


def test_only_orphaned_marked_preview_roles_go_and_again_is_a_no_op(
    server: Server, reaper: dict[str, Any], tmp_path: Path
) -> None:
    for number in (1, 2, 4, 5, 6, 7, 9):
        create_preview_role(server, number)
    server.psql(
        "CREATE ROLE pr_3 LOGIN;\n"  # a pr_ role nobody marked (or from before the marker)
        "CREATE ROLE wildside_app LOGIN;\n"
        "COMMENT ON ROLE wildside_app IS 'wildside preview 1, set at 0 (Unix time)';\n"
        "CREATE DATABASE pr_2 OWNER pr_2;\n"  # a preview whose database is still there
        "CREATE DATABASE other;\n"
        "GRANT CONNECT ON DATABASE other TO pr_7;\n"
        "CREATE TABLE kept_data (id int);\n"
        "ALTER TABLE kept_data OWNER TO pr_7;\n"
        "ALTER ROLE pr_9 SUPERUSER;\n"
        "COMMENT ON ROLE pr_6 IS 'wildside preview 60, set at 0 (Unix time)';\n"
    )
    backdate(server, "pr_1", "pr_2", "pr_4", "pr_7", "pr_9")  # pr_5 was just created
    before = roles(server)

    first = run_reaper(server, reaper, tmp_path / "run", live=["pr_4", "wildside_app"])
    assert first.returncode == 0, first.stderr
    assert before - roles(server) == {"pr_1", "pr_7"}
    assert "pr_1" in first.stdout and "pr_7" in first.stdout
    # What pr_7 owned here is kept, now the superuser's; its grant went with it.
    assert server.psql("SELECT tableowner FROM pg_tables WHERE tablename = 'kept_data'") == (
        "postgres"
    )

    again = run_reaper(server, reaper, tmp_path / "run", live=["pr_4"])
    assert again.returncode == 0, again.stderr
    assert before - roles(server) == {"pr_1", "pr_7"}

    # The preview's Database is pruned and CloudNativePG drops the database: its role goes next.
    server.psql("DROP DATABASE pr_2;")
    last = run_reaper(server, reaper, tmp_path / "run", live=[])
    assert last.returncode == 0, last.stderr
    assert before - roles(server) == {"pr_1", "pr_2", "pr_4", "pr_7"}
    assert {"pr_3", "pr_5", "pr_6", "pr_9", "wildside_app", "postgres"} <= roles(server)


def test_a_role_that_cannot_go_fails_the_run_by_name_after_dropping_the_rest(
    server: Server, reaper: dict[str, Any], tmp_path: Path
) -> None:
    for number in (8, 11):
        create_preview_role(server, number)
    server.psql("CREATE DATABASE other;")
    server.psql("CREATE TABLE elsewhere (id int); ALTER TABLE elsewhere OWNER TO pr_8;", "other")
    backdate(server, "pr_8", "pr_11")

    for _ in range(2):
        done = run_reaper(server, reaper, tmp_path / "run", live=[])
        assert done.returncode != 0
        assert "preview roles left behind" in done.stderr and "pr_8" in done.stderr
        assert "pr_11" not in roles(server) and "pr_8" in roles(server)


def test_without_the_owners_list_nothing_is_dropped(
    server: Server, reaper: dict[str, Any], tmp_path: Path
) -> None:
    create_preview_role(server, 21)
    backdate(server, "pr_21")
    done = run_reaper(server, reaper, tmp_path / "run", live=None)
    assert done.returncode != 0 and LIVE_OWNERS_FILE in done.stderr
    assert "pr_21" in roles(server)

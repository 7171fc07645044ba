"""Bad input: exit code 2, the field and the fix named, nothing written."""

from __future__ import annotations

import pytest

from tests.apps.conftest import DIGEST, Apps, images, sha


@pytest.mark.parametrize(
    ("args", "field", "fix"),
    [
        (["--pr", "0", "--sha", sha(1)], "--pr", "positive integer"),
        (["--pr", "-3", "--sha", sha(1)], "--pr", "positive integer"),
        (["--pr", "12a", "--sha", sha(1)], "--pr", "positive integer"),
        (["--pr", "1", "--sha", "abc123"], "--sha", "40 lower-case hex"),
        (["--pr", "1", "--sha", "ABCDEF" + "0" * 34], "--sha", "40 lower-case hex"),
    ],
)
def test_bad_pr_or_sha(apps: Apps, args: list[str], field: str, fix: str) -> None:
    done = apps.run("deploy", *args, *images(sha(1)))
    assert done.returncode == 2
    assert field in done.stderr and fix in done.stderr
    assert "Traceback" not in done.stderr
    assert not apps.workdir.exists() and apps.commits_or_zero() == 0


@pytest.mark.parametrize(
    ("image", "fix"),
    [
        ("backend=ghcr.io/example/backend:v1", "tag without a digest"),
        ("backend=ghcr.io/example/backend", "tag without a digest"),
        ("backend=GHCR.io/Example/Backend@" + DIGEST, "not a valid OCI image reference"),
        ("backend=ghcr.io/example/backend@sha256:abc", "not a valid OCI image reference"),
        ("backend=ghcr.io/x/y z@" + DIGEST, "not a valid OCI image reference"),
        ("database=ghcr.io/example/db@" + DIGEST, "unknown image"),
        ("backend", "not NAME=REFERENCE"),
    ],
)
def test_bad_images(apps: Apps, image: str, fix: str) -> None:
    others = ["--image", "frontend=ghcr.io/example/frontend@" + DIGEST]
    done = apps.run("deploy", "--pr", "1", "--sha", sha(1), "--image", image, *others)
    assert done.returncode == 2, done.stderr
    assert "--image" in done.stderr and fix in done.stderr
    assert not apps.workdir.exists() and apps.commits_or_zero() == 0


def test_every_problem_is_reported_at_once(apps: Apps) -> None:
    done = apps.run("deploy", "--pr", "x", "--sha", "y", "--image", "backend=a:b")
    assert done.returncode == 2
    assert "4 problems" in done.stderr
    assert "no reference for frontend" in done.stderr


@pytest.mark.parametrize(
    ("old", "new", "field", "fix"),
    [
        (
            'name = "wildside"\nrepository_url',
            'name = "Wild_Side"\nrepository_url',
            "apps.name",
            "is not a DNS label",
        ),
        (
            'preview_domain = ""',
            'preview_domain = "previews.other.org"',
            "apps.preview_domain",
            "not inside the configured zone 'dev.example.com'",
        ),
        ('chart_version = "0.1.0"', 'chart_version = "latest"', "apps.chart_version", "pin one"),
        ('preview_ttl = "7d"', 'preview_ttl = "a week"', "apps.preview_ttl", "'12h' or '7d'"),
        ("max_previews = 20", "max_previews = 0", "apps.max_previews", "at least 1"),
    ],
)
def test_bad_configuration(apps: Apps, old: str, new: str, field: str, fix: str) -> None:
    apps.configure([(old, new)])
    done = apps.deploy(1, sha(1))
    assert done.returncode == 2, done.stderr
    assert field in done.stderr and fix in done.stderr
    assert not apps.workdir.exists() and apps.commits_or_zero() == 0


def test_the_preview_cluster_needs_the_superuser_its_role_jobs_log_in_as() -> None:
    """Without enableSuperuserAccess every preview's role Job would fail to log in."""
    from app.config.errors import ConfigError
    from tests.support import example_with

    with pytest.raises(ConfigError) as caught:
        example_with({"cnpg": {"superuser_access": False}})
    (problem,) = [p for p in caught.value.problems if p.field == "cnpg.superuser_access"]
    assert "apps.preview_cluster = 'dev'" in problem.message
    assert "set cnpg.superuser_access = true" in problem.message
    # Another cluster hosting the previews, or no cnpg here: nothing to refuse.
    example_with({"cnpg": {"superuser_access": False}, "apps": {"preview_cluster": "other"}})
    example_with({"cnpg": {"superuser_access": False}, "components": {"cnpg": False}})

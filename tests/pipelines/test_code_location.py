"""The code location as a data engineer meets it in the UI: it loads, every asset sits in one of the four stage
groups with a description, owners and kinds, every step that opens the warehouse is in its pool, and
`dagster definitions validate` is clean, with no deprecation warning raised by our own code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.jobs import TRANSIENT_FAILURE_RETRY
from pipelines.schedules import REGISTRY_FRESHNESS
from sejahtera import PROJECT_ROOT

STAGE_GROUPS = ("extract", "validate", "reconcile", "registry")
OUR_CODE = tuple(str(PROJECT_ROOT / folder) for folder in ("assets", "pipelines", "sejahtera"))


def asset_nodes():
    graph = defs.resolve_asset_graph()
    return [graph.get(key) for key in sorted(graph.get_all_asset_keys())]


def kinds_of(node) -> set[str]:
    return {tag.removeprefix("dagster/kind/") for tag in node.tags if tag.startswith("dagster/kind/")}


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)


def test_every_stage_group_has_assets():
    groups = {node.group_name for node in asset_nodes()}
    assert set(STAGE_GROUPS) <= groups


def test_every_asset_is_in_a_stage_group():
    strays = [node.key.to_user_string() for node in asset_nodes() if node.group_name not in STAGE_GROUPS]
    assert strays == []


@pytest.mark.parametrize(
    "attribute",
    ["description", "owners", "kinds"],
)
def test_every_asset_is_described_owned_and_kinded(attribute):
    def has(node) -> bool:
        if attribute == "kinds":
            return bool(kinds_of(node))
        value = getattr(node, attribute)
        return bool(value and (value.strip() if isinstance(value, str) else value))

    missing = [f"{node.group_name}/{node.key.to_user_string()}" for node in asset_nodes() if not has(node)]
    assert missing == [], f"assets without {attribute}: {missing}"


def test_registry_assets_and_only_they_have_the_freshness_policy():
    for node in asset_nodes():
        expected = REGISTRY_FRESHNESS if node.group_name == "registry" else None
        assert node.freshness_policy == expected, node.key.to_user_string()


def test_every_asset_that_computes_is_in_the_warehouse_pool():
    """Every executable asset opens the warehouse (architecture.md), so every one is in its pool."""
    outside = [
        node.key.to_user_string()
        for node in asset_nodes()
        if node.is_executable and node.pools != {"warehouse"}
    ]
    assert outside == []


@pytest.mark.parametrize("job_name", ["nightly", "train_linkage_model", "explain"])
def test_every_step_of_the_jobs_is_in_the_warehouse_pool(job_name):
    """Asset checks defined apart from their asset are steps of their own: they open the warehouse too."""
    job = defs.resolve_job_def(job_name)
    outside = [op.name for op in job.graph.iterate_op_defs() if op.pool != "warehouse"]
    assert outside == []
    assert job.op_retry_policy is TRANSIENT_FAILURE_RETRY


def test_nightly_runs_the_whole_graph_but_the_linkage_model():
    graph = defs.resolve_asset_graph()
    job = defs.resolve_job_def("nightly")
    executable = {key for key in graph.get_all_asset_keys() if graph.get(key).is_executable}
    assert job.asset_layer.selected_asset_keys == executable - {dg.AssetKey("linkage_model")}


def test_automation_is_registered():
    repository = defs.get_repository_def()
    assert {s.name for s in repository.schedule_defs} == {"nightly_at_0100_wib"}
    assert {s.name for s in repository.sensor_defs} == {"drop_sensor", "run_failure_alert"}


def test_dagster_definitions_validate_is_clean(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(PROJECT_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "SEJAHTERA_LANDING": str(tmp_path / "landing"),
        "SEJAHTERA_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "PYTHONWARNINGS": "always",
    }
    dagster = shutil.which("dagster", path=os.path.dirname(sys.executable))
    result = subprocess.run(
        [dagster, "definitions", "validate", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation successful" in result.stdout + result.stderr
    ours = [
        line
        for line in result.stderr.splitlines()
        if "Warning" in line and any(line.lstrip().startswith(path) for path in OUR_CODE)
    ]
    assert ours == []


def test_loading_our_code_raises_no_deprecation_warning():
    """Warnings pointed at our own files (Dagster's deprecations use stacklevel to blame the caller)."""
    probe = (
        "import warnings\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    from pipelines.definitions import defs\n"
        "    defs.get_repository_def().get_all_jobs()\n"
        "for w in caught:\n"
        "    print(f'{w.filename}:{w.lineno}: {w.category.__name__}: {w.message}')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    ours = [line for line in result.stdout.splitlines() if line.startswith(OUR_CODE)]
    assert ours == []

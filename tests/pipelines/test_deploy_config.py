"""The production deployment on Kubernetes loads as Dagster would load it, without a cluster.

- ``deploy/k8s/dagster.yaml`` passes Dagster's instance schema, and each class it names (PostgreSQL storage,
  queued run coordinator, ``K8sRunLauncher``) accepts its config section, with the environment variables it
  reads resolved (what ``DagsterInstance`` does before connecting anywhere).
- With ``SEJAHTERA_EXECUTOR=k8s`` the ``nightly`` job gets the Kubernetes job executor configured from
  ``deploy/k8s/nightly_executor.yaml``; ``dagster definitions validate`` is clean on that code location; every
  step the file sizes is a step of the job; and the pod dagster-k8s builds for a step has the step's memory
  and a DuckDB memory limit below it, merged over the run pod's settings the way the executor merges them.
- Without the variable the job keeps the in-process executor, and a wrong value is a one-line error.

Skipped when dagster-k8s is not installed (the optional extra ``k8s``; CI installs it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import pytest
import yaml

pytest.importorskip("dagster_k8s", reason="dagster-k8s is missing: install the optional extra 'k8s'")
pytest.importorskip(
    "dagster_postgres", reason="dagster-postgres is missing: install the optional extra 'k8s'"
)

from dagster._config import process_config
from dagster._core.definitions.job_base import InMemoryJob
from dagster._core.instance.config import dagster_instance_config
from dagster._core.instance.ref import InstanceRef
from dagster._core.system_config.objects import ResolvedRunConfig
from dagster._record import copy as record_copy
from dagster._serdes.config_class import class_from_code_pointer
from dagster_k8s import K8sRunLauncher
from dagster_k8s.job import construct_dagster_k8s_job, get_k8s_job_name
from support.cli import Operator

from pipelines import executors
from sejahtera import PROJECT_ROOT

K8S_DIR = PROJECT_ROOT / "deploy" / "k8s"
INSTANCE_YAML = K8S_DIR / "dagster.yaml"
EXECUTOR_YAML = K8S_DIR / "nightly_executor.yaml"
PG_ENV = {
    "DAGSTER_PG_HOST": "postgres.sejahtera.svc",
    "DAGSTER_PG_PORT": "5432",
    "DAGSTER_PG_USER": "dagster",
    "DAGSTER_PG_PASSWORD": "not-a-real-password",
    "DAGSTER_PG_DB": "dagster",
}


@pytest.fixture
def pg_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PG_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def instance_home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(INSTANCE_YAML, home / "dagster.yaml")
    return home


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Path:
    """A kubeconfig naming a cluster nobody listens on: dagster-k8s reads it, nothing connects to it."""
    path = tmp_path / "kubeconfig"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "nowhere",
                "clusters": [{"name": "nowhere", "cluster": {"server": "https://127.0.0.1:9"}}],
                "users": [{"name": "nobody", "user": {"token": "none"}}],
                "contexts": [{"name": "nowhere", "context": {"cluster": "nowhere", "user": "nobody"}}],
            }
        ),
        encoding="utf-8",
    )
    return path


def k8s_nightly_job(monkeypatch: pytest.MonkeyPatch, config_file: Path = EXECUTOR_YAML) -> dg.JobDefinition:
    """The ``nightly`` job as the code location builds it when loaded with ``SEJAHTERA_EXECUTOR=k8s``: the same
    job definition, with the executor :func:`pipelines.executors.nightly_executor` returns then (the module was
    imported without the variable; the subprocess test below loads it with it)."""
    from pipelines.definitions import defs
    from pipelines.jobs import nightly_job

    monkeypatch.setenv(executors.EXECUTOR_ENV, "k8s")
    monkeypatch.setenv(executors.K8S_CONFIG_ENV, str(config_file))
    job = record_copy(nightly_job, executor_def=executors.nightly_executor())
    return job.resolve(asset_graph=defs.resolve_asset_graph(), resource_defs=defs.resources)


def memory_bytes(quantity: str) -> float:
    """A Kubernetes memory quantity (``48Gi``) or a DuckDB memory limit (``30GB``, ``2500MB``) in bytes."""
    number, unit = re.fullmatch(r"([\d.]+)\s*([A-Za-z]*)", quantity).groups()
    units = {"Gi": 2**30, "Mi": 2**20, "GiB": 2**30, "MiB": 2**20, "GB": 10**9, "MB": 10**6, "": 1}
    return float(number) * units[unit]


# --- the instance -----------------------------------------------------------------------------------------------


def test_instance_yaml_passes_dagsters_instance_schema(instance_home: Path):
    config, custom_class = dagster_instance_config(str(instance_home))

    assert custom_class is None
    assert config["run_launcher"]["class"] == "K8sRunLauncher"
    assert config["concurrency"]["pools"] == {"default_limit": 1, "granularity": "op"}
    assert config["run_monitoring"]["enabled"] is True
    assert config["run_monitoring"]["free_slots_after_run_end_seconds"] > 0


def test_every_class_the_instance_names_accepts_its_config(instance_home: Path, pg_env: None):
    """What ``DagsterInstance`` does with each section before it instantiates the class (which would connect to
    PostgreSQL and the cluster): load the class, process the section against the class's own schema."""
    ref = InstanceRef.from_dir(str(instance_home))
    sections = {
        "storage": ref.storage_data,
        "run storage": ref.run_storage_data,
        "event log storage": ref.event_storage_data,
        "schedule storage": ref.schedule_storage_data,
        "run coordinator": ref.run_coordinator_data,
        "run launcher": ref.run_launcher_data,
    }
    loaded = {}
    for name, data in sections.items():
        klass = class_from_code_pointer(data.module_name, data.class_name)
        result = process_config(klass.config_type(), yaml.safe_load(data.config_yaml) or {})
        assert result.success, f"{name}: {[error.message for error in result.errors]}"
        loaded[name] = (klass.__name__, result.value)

    assert loaded["storage"][0] == "DagsterPostgresStorage"
    assert [loaded[name][0] for name in ("run storage", "event log storage", "schedule storage")] == [
        "PostgresRunStorage",
        "PostgresEventLogStorage",
        "PostgresScheduleStorage",
    ]
    assert loaded["storage"][1]["postgres_db"]["hostname"] == PG_ENV["DAGSTER_PG_HOST"]
    assert loaded["run launcher"][0] == "K8sRunLauncher"
    assert loaded["run coordinator"][0] == "QueuedRunCoordinator"


def test_instance_names_a_missing_postgres_variable(instance_home: Path, pg_env: None, monkeypatch):
    """The check above can fail: without DAGSTER_PG_HOST the storage section does not resolve."""
    monkeypatch.delenv("DAGSTER_PG_HOST")
    ref = InstanceRef.from_dir(str(instance_home))
    klass = class_from_code_pointer(ref.storage_data.module_name, ref.storage_data.class_name)
    result = process_config(klass.config_type(), yaml.safe_load(ref.storage_data.config_yaml))

    assert not result.success
    assert "DAGSTER_PG_HOST" in " ".join(error.message for error in result.errors)


def test_run_launcher_starts_from_the_instance_config(instance_home: Path, kubeconfig: Path):
    """The launcher itself is built from its section (pointed at a kubeconfig instead of the in-cluster account):
    namespace, ConfigMap, disks and the run pod's DuckDB limit below its memory."""
    launcher = launcher_from_instance_yaml(kubeconfig)

    assert launcher.job_namespace == "sejahtera"
    assert launcher.supports_check_run_worker_health
    assert {mount["mount_path"] for mount in launcher.volume_mounts} == {"/data/landing", "/data/warehouse"}
    container = launcher.run_k8s_config["container_config"]
    duckdb_limit = {e["name"]: e["value"] for e in container["env"]}["SEJAHTERA_DUCKDB_MEMORY_LIMIT"]
    assert memory_bytes(duckdb_limit) < memory_bytes(container["resources"]["limits"]["memory"])


def launcher_from_instance_yaml(kubeconfig: Path) -> K8sRunLauncher:
    section = yaml.safe_load(INSTANCE_YAML.read_text(encoding="utf-8"))["run_launcher"]["config"]
    section = {**section, "load_incluster_config": False, "kubeconfig_file": str(kubeconfig)}
    result = process_config(K8sRunLauncher.config_type(), section)
    assert result.success, [error.message for error in result.errors]
    return K8sRunLauncher.from_config_value(None, result.value)


# --- the executor -------------------------------------------------------------------------------------------------


def test_nightly_runs_in_process_unless_configured(monkeypatch: pytest.MonkeyPatch):
    from pipelines.definitions import defs

    monkeypatch.delenv(executors.EXECUTOR_ENV, raising=False)
    assert executors.nightly_executor() is dg.in_process_executor
    assert defs.resolve_job_def("nightly").executor_def is dg.in_process_executor


def test_an_unknown_executor_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(executors.EXECUTOR_ENV, "celery")
    with pytest.raises(executors.ExecutorConfigError, match=r"^SEJAHTERA_EXECUTOR='celery': must be one of"):
        executors.nightly_executor()


def test_an_executor_file_without_execution_config_is_refused(monkeypatch, tmp_path: Path):
    broken = tmp_path / "nightly_executor.yaml"
    broken.write_text("step_k8s_config: {}\n", encoding="utf-8")
    monkeypatch.setenv(executors.EXECUTOR_ENV, "k8s")
    monkeypatch.setenv(executors.K8S_CONFIG_ENV, str(broken))
    with pytest.raises(executors.ExecutorConfigError, match="expected a mapping under 'execution: config:'"):
        executors.nightly_executor()


def test_k8s_executor_config_is_valid_run_config_of_nightly(monkeypatch: pytest.MonkeyPatch):
    job = k8s_nightly_job(monkeypatch)

    assert job.executor_def.name == "k8s_per_step"
    config = ResolvedRunConfig.build(job, {}).execution.execution_engine_config
    assert config["job_namespace"] == "sejahtera"
    assert config["max_concurrent"] == 1


def test_a_misspelt_executor_setting_fails_the_run_config(monkeypatch, tmp_path: Path):
    document = yaml.safe_load(EXECUTOR_YAML.read_text(encoding="utf-8"))
    document["execution"]["config"]["per_step_config"] = document["execution"]["config"].pop(
        "per_step_k8s_config"
    )
    misspelt = tmp_path / "nightly_executor.yaml"
    misspelt.write_text(yaml.safe_dump(document), encoding="utf-8")

    job = k8s_nightly_job(monkeypatch, misspelt)
    with pytest.raises(dg.DagsterInvalidConfigError, match="per_step_config"):
        ResolvedRunConfig.build(job, {})


def test_every_sized_step_is_a_step_of_nightly(monkeypatch: pytest.MonkeyPatch):
    """A renamed asset would otherwise silently fall back to the default pod size."""
    job = k8s_nightly_job(monkeypatch)
    sized = set(executors.read_k8s_executor_config(EXECUTOR_YAML)["per_step_k8s_config"])
    ops = {op.name for op in job.graph.iterate_op_defs()}

    assert sized
    assert sized - ops == set()
    assert "resolved_persons" in sized


def test_each_step_pod_gets_its_size_and_a_duckdb_limit_below_it(monkeypatch, kubeconfig: Path):
    """The pod dagster-k8s builds for each step: the executor's own merge of the run pod's config (from the
    instance), the default step size and the step's entry; one SEJAHTERA_DUCKDB_MEMORY_LIMIT per pod, below
    the pod's memory limit."""
    job = k8s_nightly_job(monkeypatch)
    config = dict(ResolvedRunConfig.build(job, {}).execution.execution_engine_config)
    config.update(load_incluster_config=False, kubeconfig_file=str(kubeconfig))
    launcher_section = yaml.safe_load(INSTANCE_YAML.read_text(encoding="utf-8"))["run_launcher"]
    launcher_section["config"].update(load_incluster_config=False, kubeconfig_file=str(kubeconfig))
    with dg.instance_for_test(overrides={"run_launcher": launcher_section}) as instance:
        pods = step_pods(job, config, instance)

    sized = executors.read_k8s_executor_config(EXECUTOR_YAML)["per_step_k8s_config"]
    for name, pod in pods.items():
        container = pod.containers[0]
        env = [variable for variable in container.env if variable.name == "SEJAHTERA_DUCKDB_MEMORY_LIMIT"]
        assert len(env) == 1, f"{name}: {[variable.value for variable in env]}"
        pod_limit = memory_bytes(container.resources.limits["memory"])
        assert memory_bytes(env[0].value) < pod_limit, name
        assert {mount.mount_path for mount in container.volume_mounts} >= {"/data/landing", "/data/warehouse"}
        expected = sized.get(name, {}).get("container_config", {}).get("resources", {}).get("limits")
        if expected:
            assert container.resources.limits["memory"] == expected["memory"], name
    assert memory_bytes(pods["resolved_persons"].containers[0].resources.limits["memory"]) > memory_bytes(
        pods["quality_report"].containers[0].resources.limits["memory"]
    )


def step_pods(job: dg.JobDefinition, config: dict, instance: dg.DagsterInstance) -> dict:
    """Each step's pod spec, as the executor's step handler builds it before sending it to the cluster."""
    executor = job.executor_def.executor_creation_fn(
        dg.InitExecutorContext(
            job=InMemoryJob(job), executor_def=job.executor_def, executor_config=config, instance=instance
        )
    )
    run = SimpleNamespace(job_code_origin=None, tags={}, run_id="r")

    pods = {}
    for op in job.graph.iterate_op_defs():
        context = SimpleNamespace(
            execute_step_args=SimpleNamespace(step_keys_to_execute=[op.name]),
            dagster_run=run,
            instance=instance,
            step_tags={op.name: dict(op.tags)},
            get_step_context=lambda _key, name=op.name: SimpleNamespace(step=SimpleNamespace(op_name=name)),
        )
        container_context = executor._step_handler._get_container_context(context)
        job_name = get_k8s_job_name(run.run_id, op.name)
        manifest = construct_dagster_k8s_job(
            job_config=container_context.get_k8s_job_config("sejahtera:test", instance.run_launcher),
            args=["dagster", "api", "execute_step"],
            job_name=job_name,
            pod_name=job_name,
            user_defined_k8s_config=container_context.run_k8s_config,
            component="step_worker",
        )
        pods[op.name] = manifest.spec.template.spec
    return pods


def test_dagster_definitions_validate_with_the_k8s_executor(tmp_path: Path):
    """The code location as the code server loads it in production: a fresh process, SEJAHTERA_EXECUTOR=k8s."""
    operator = Operator(tmp_path, deployed=True)
    env = {
        **operator.env,
        executors.EXECUTOR_ENV: "k8s",
        executors.K8S_CONFIG_ENV: str(EXECUTOR_YAML),
    }
    # One process: say which executor the job got, then run the CLI's `dagster definitions validate` (imports are
    # paid once; the CLI still loads the code location as it would in production).
    probe = (
        "import sys\n"
        "from pipelines.definitions import defs\n"
        "print('nightly executor:', defs.resolve_job_def('nightly').executor_def.name, flush=True)\n"
        "from dagster._cli import main\n"
        "sys.argv = ['dagster', 'definitions', 'validate', '-w', 'workspace.yaml']\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "nightly executor: k8s_per_step" in result.stdout
    assert "Validation successful" in output

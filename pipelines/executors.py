"""Which executor runs the steps of the ``nightly`` job: chosen by configuration, never by editing the job.

Locally (and on one production host) a run executes its steps one after the other in its own process: the
steps share one single-writer DuckDB file, so more processes would only queue on the ``warehouse`` pool, and
each step already uses every core through DuckDB. On Kubernetes each step can instead run in a pod of its own,
sized for that step (``dagster_k8s.k8s_job_executor``): the memory-hungry linkage step gets a large pod, the
small steps small ones, and a retried step re-runs in a fresh pod.

| variable | meaning |
|---|---|
| ``SEJAHTERA_EXECUTOR`` | ``in_process`` (the default) or ``k8s`` |
| ``SEJAHTERA_K8S_EXECUTOR_CONFIG`` | with ``k8s``: the executor's config file (default ``deploy/k8s/nightly_executor.yaml``) |

The config file holds what the Kubernetes job executor accepts under ``execution: config:`` (namespace,
volumes, secrets, the default pod size in ``step_k8s_config`` and per-step sizes in ``per_step_k8s_config``,
whose entries take the same form as the ``dagster-k8s/config`` op tag). Keeping the sizes there rather than in
op tags keeps them configuration: a resize is a changed ConfigMap and a code-server restart, not a new image, and
no stage module has to know it may run on a cluster. The variable is read when the code location loads, so the
code server, the run pod and the step pods must all have the same value (the Helm chart passes the code
location's environment on to the pods it launches). See ``deploy/RUNBOOK.md``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dagster as dg
import yaml

from sejahtera import RULES_ROOT
from sejahtera.settings import env_choice

EXECUTOR_ENV = "SEJAHTERA_EXECUTOR"
K8S_CONFIG_ENV = "SEJAHTERA_K8S_EXECUTOR_CONFIG"
EXECUTORS = ("in_process", "k8s")
"""The executors, the default first."""
DEFAULT_K8S_CONFIG = RULES_ROOT / "deploy" / "k8s" / "nightly_executor.yaml"


class ExecutorConfigError(RuntimeError):
    """The configured executor cannot be built: an unknown name, dagster-k8s missing, an unreadable file."""


def executor_name() -> str:
    """The executor ``SEJAHTERA_EXECUTOR`` names (read at each call; ``in_process`` when unset)."""
    return env_choice(EXECUTOR_ENV, EXECUTORS, ExecutorConfigError)


def k8s_executor_config_file() -> Path:
    """The Kubernetes executor's config file: ``SEJAHTERA_K8S_EXECUTOR_CONFIG``, else the one in ``deploy/k8s``."""
    value = os.environ.get(K8S_CONFIG_ENV, "").strip()
    return Path(value).expanduser() if value else DEFAULT_K8S_CONFIG


def read_k8s_executor_config(path: Path) -> dict[str, Any]:
    """The mapping under ``execution: config:`` of the file at ``path`` (the file reads like run config, so an
    operator can paste it into the launchpad to try a change on one run)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ExecutorConfigError(f"{K8S_CONFIG_ENV}: cannot read {path}: {exc}") from None
    config = (document or {}).get("execution", {}).get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise ExecutorConfigError(f"{path}: expected a mapping under 'execution: config:'")
    return config


def nightly_executor() -> dg.ExecutorDefinition:
    """The executor of the ``nightly`` job, from the environment (see the module's docstring)."""
    if executor_name() == "in_process":
        return dg.in_process_executor
    try:
        from dagster_k8s import k8s_job_executor
    except ImportError as exc:
        raise ExecutorConfigError(
            f"{EXECUTOR_ENV}=k8s needs dagster-k8s: install the optional extra 'k8s' ({exc})"
        ) from None
    return k8s_job_executor.configured(
        read_k8s_executor_config(k8s_executor_config_file()), name="k8s_per_step"
    )

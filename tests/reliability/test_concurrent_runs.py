"""Runs that meet on one instance and one warehouse: two `sejahtera run` started at once, and a run while the
UI's GraphQL reads the assets. Each finishes, the registry equals that of one serial run, and no DuckDB lock
error reaches the user."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from support.dagster_ui import dagster_process

pytestmark = pytest.mark.slow

LOCK_WORDS = ("lock", "WarehouseLocked")

ASSETS_QUERY = """
{
  assetNodes { assetKey { path } groupName }
  assetsOrError {
    __typename
    ... on AssetConnection { nodes { key { path } assetMaterializations(limit: 1) { runId timestamp } } }
  }
}
"""


def no_lock_error(*outputs: str) -> bool:
    text = "\n".join(outputs)
    return not any(word.lower() in text.lower() for word in LOCK_WORDS)


def test_two_runs_started_at_once_both_finish_with_the_registry_of_one_serial_run(
    new_zone, reference_registry
):
    zone = new_zone("two_at_once")

    runs = [zone.start() for _ in range(2)]
    outputs = [run.communicate(timeout=1800) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], [err[-2000:] for _, err in outputs]
    assert no_lock_error(*(out + err for out, err in outputs))
    assert zone.registry() == reference_registry


def graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.loads(answer.read())


def test_a_run_while_the_ui_reads_the_assets_finishes_with_the_registry_of_a_serial_run(
    new_zone, reference_registry, tmp_path
):
    zone = new_zone("with_ui")
    env = {**zone.env, "DAGSTER_HOME": str(zone.home)}
    with dagster_process(["dagster-webserver"], env, tmp_path / "webserver.log") as base:
        first = graphql(base, ASSETS_QUERY)
        assert "errors" not in first, first
        assert first["data"]["assetsOrError"]["__typename"] == "AssetConnection"
        assert len(first["data"]["assetNodes"]) > 10

        run = zone.start()
        answers = 0
        while run.poll() is None:
            answer = graphql(base, ASSETS_QUERY)
            assert "errors" not in answer, answer
            answers += 1
            time.sleep(1)
        out, err = run.communicate()
        last = graphql(base, ASSETS_QUERY)
    log = (tmp_path / "webserver.log").read_text(errors="replace")

    assert run.returncode == 0, err[-3000:]
    assert answers > 0
    assert no_lock_error(out, err, log)
    assert zone.registry() == reference_registry
    materialised = [n for n in last["data"]["assetsOrError"]["nodes"] if n["assetMaterializations"]]
    assert materialised, "the UI shows no materialisation of the run"

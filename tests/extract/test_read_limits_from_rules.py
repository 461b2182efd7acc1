"""Extract reads its read limits from the run's rule folder (``rules`` resource), as every stage reads its rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from support.extract_harness import Extract

from sejahtera.resources import RulesResource
from sejahtera.rule_config import CONFIG_DIR, read_rule_file


def _rule_folder(folder: Path, quality: dict) -> RulesResource:
    folder.mkdir()
    (folder / "quality.yaml").write_text(yaml.safe_dump(quality), encoding="utf-8")
    return RulesResource(folder=str(folder))


def test_the_limits_of_the_runs_rule_folder_apply(extract: Extract, tmp_path: Path) -> None:
    quality = read_rule_file(CONFIG_DIR / "quality.yaml")
    quality["read_limits"]["max_file_bytes"] = 100
    extract.rules = _rule_folder(tmp_path / "rules", quality)
    extract.landing.deliver("dtks", "20261101")
    extract.run()
    [(status, reason)] = extract.drops().values()
    assert status == "rejected"
    assert "more than read_limits.max_file_bytes = 100 in config/quality.yaml bytes" in reason


def test_a_rule_folder_without_read_limits_fails_the_step_without_a_retry(
    extract: Extract, tmp_path: Path
) -> None:
    extract.rules = _rule_folder(tmp_path / "rules", {"max_failing_row_share": 0.2})
    extract.landing.deliver("dtks", "20261101")
    result = extract.run(raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    said = failure.event_specific_data.user_failure_data
    assert said is not None, "not a PermanentFailure: Dagster would retry it"
    assert said.description == f"{tmp_path / 'rules' / 'quality.yaml'}: section read_limits is missing"


@pytest.mark.parametrize("rules", [None, RulesResource()])
def test_outside_a_run_the_projects_limits_apply(rules: RulesResource | None) -> None:
    from assets.extract.read_limits import load_read_limits, read_limits

    assert read_limits(rules) == load_read_limits(CONFIG_DIR / "quality.yaml")

"""Where sejahtera keeps things when the environment says nothing: the Dagster instance sits beside the warehouse
it guards, as an absolute path, so runs started from different directories share one instance."""

from __future__ import annotations

from pathlib import Path

from sejahtera.settings import Settings, ensure_dagster_home


def test_the_instance_defaults_to_beside_the_warehouse(monkeypatch, tmp_path):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("SEJAHTERA_WAREHOUSE", str(tmp_path / "wh" / "sejahtera.duckdb"))

    assert Settings.from_env().dagster_home == tmp_path / "wh" / "dagster_home"


def test_two_working_directories_with_one_warehouse_get_one_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("SEJAHTERA_WAREHOUSE", str(tmp_path / "wh" / "sejahtera.duckdb"))
    homes = []
    for folder in ("a", "b/c"):
        (tmp_path / folder).mkdir(parents=True)
        monkeypatch.chdir(tmp_path / folder)
        homes.append(Settings.from_env().dagster_home)

    assert homes[0] == homes[1] and homes[0].is_absolute()


def test_the_default_warehouse_and_instance_are_absolute_and_under_the_checkout(monkeypatch, tmp_path):
    for var in ("DAGSTER_HOME", "SEJAHTERA_WAREHOUSE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)

    settings = Settings.from_env()

    assert settings.warehouse == tmp_path / "data" / "warehouse" / "sejahtera.duckdb"
    assert settings.dagster_home == tmp_path / "data" / "warehouse" / "dagster_home"


def test_an_explicit_dagster_home_wins_and_is_created_with_the_project_instance_config(monkeypatch, tmp_path):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("SEJAHTERA_WAREHOUSE", str(tmp_path / "wh" / "sejahtera.duckdb"))

    home = ensure_dagster_home(Settings.from_env())

    assert home == tmp_path / "elsewhere"
    assert "warehouse" in (Path(home) / "dagster.yaml").read_text()

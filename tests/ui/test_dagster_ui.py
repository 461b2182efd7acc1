"""The Dagster UI in a real browser: what a data engineer does on a fresh instance, click by click.

Starts ``dagster dev -w workspace.yaml`` (webserver, daemon, code server: what ``make ui`` runs) on a free
loopback port against a tmp DAGSTER_HOME, warehouse and landing zone, drives it with headless Chromium through
Playwright, and stops every process it started. Screenshots go to ``test-artifacts/ui/``:

    01-asset-groups.png   the global lineage with the four stage groups
    02-automation.png     the schedule and both sensors
    03-drop-sensor-off.png   the drop sensor switched off, so the run below is the one launched by the click
    04-run-succeeded.png  the nightly run launched from the job page, succeeded
    05-asset-checks.png   the checks of validated_drops with their results
    06-registry-household.png   a published registry asset: columns, row count, freshness policy

Run alone with ``.venv/bin/pytest -m browser``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import pytest
from support.dagster_ui import dagster_process

from sejahtera import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "ui"
STAGE_GROUPS = ("extract", "validate", "reconcile", "registry")
RUN_TIMEOUT_SECONDS = 900
UI_START_TIMEOUT_SECONDS = 180

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def processes_using(home: Path) -> list[int]:
    """Pids whose environment names this test's DAGSTER_HOME: everything the UI started, however deep."""
    marker = f"DAGSTER_HOME={home}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


@contextmanager
def dagster_dev(env: dict[str, str], log: Path) -> Iterator[str]:
    """``dagster dev`` (webserver, daemon, code server), served; on exit nothing it started is left behind."""
    home = Path(env["DAGSTER_HOME"])
    try:
        with dagster_process(["dagster", "dev"], env, log, UI_START_TIMEOUT_SECONDS) as base_url:
            yield base_url
    finally:
        for pid in processes_using(home):  # anything that left the group
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert processes_using(home) == [], "a process started by the UI test is still running"


@contextmanager
def browser_page(base_url: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000}, base_url=base_url)
            page.set_default_timeout(90_000)
            yield page
        finally:
            browser.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.fixture
def instance_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(PROJECT_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    landing = tmp_path / "landing"
    landing.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEJAHTERA_", "DAGSTER_"))}
    env.update(
        DAGSTER_HOME=str(home),
        SEJAHTERA_LANDING=str(landing),
        SEJAHTERA_WAREHOUSE=str(tmp_path / "warehouse" / "sejahtera.duckdb"),
    )
    return env


def test_a_data_engineer_runs_the_pipeline_from_the_ui(instance_env):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "dagster-dev.log"
    with dagster_dev(instance_env, log) as base_url, browser_page(base_url) as page:
        # The graph: four stage groups in the global lineage.
        page.goto("/asset-groups")
        expect(page).to_have_title(re.compile("Global asset lineage"))
        for group in STAGE_GROUPS:
            expect(page.get_by_text(group, exact=True).first).to_be_visible()
        shot(page, "01-asset-groups.png")

        # The automation: the schedule and both sensors, running by default.
        page.goto("/automation")
        for name in ("nightly_at_0100_wib", "drop_sensor", "run_failure_alert"):
            expect(page.get_by_text(name, exact=True)).to_be_visible()
        shot(page, "02-automation.png")

        # Switch the drop sensor off before the drops land, so that the run is the one launched by the click.
        page.goto("/locations/sejahtera/sensors/drop_sensor")
        expect(page).to_have_title(re.compile("drop_sensor"))
        switch = page.locator("input[type=checkbox]")
        expect(switch).to_be_checked()
        page.locator("label", has=switch).click()  # the input itself is hidden under its styled switch
        expect(switch).not_to_be_checked()
        shot(page, "03-drop-sensor-off.png")

        deliver_tiny_landing_zone(Path(instance_env["SEJAHTERA_LANDING"]))

        # Launch the nightly job from its page, with a click.
        page.goto("/locations/sejahtera/jobs/nightly")
        page.get_by_role("button", name="Materialize all").click()
        launched = page.get_by_role("link", name="View", exact=True)
        expect(launched).to_be_visible()
        run_path = launched.get_attribute("href")
        assert run_path and run_path.startswith("/runs/")
        page.goto(run_path)
        expect(page).to_have_title(
            re.compile(r"\[(SUCCESS|FAILURE|CANCELED)\]"), timeout=RUN_TIMEOUT_SECONDS * 1000
        )
        shot(page, "04-run-succeeded.png")
        assert "[SUCCESS]" in page.title(), f"the run did not succeed: {page.title()}"

        # The asset checks' results, on the asset they check.
        page.goto("/assets/validated_drops?view=checks")
        expect(page.get_by_text("rows_accounted", exact=True).first).to_be_visible()
        expect(page.get_by_text("Evaluation result")).to_be_visible()
        expect(page.get_by_text(re.compile(r"^(Passed|Failed)$")).first).to_be_visible()
        shot(page, "05-asset-checks.png")

        # A published registry asset: its column schema, row count and the freshness policy set in one place.
        page.goto("/assets/registry/household")
        expect(page.get_by_text("Row count")).to_be_visible()
        expect(page.get_by_text("desil_nasional", exact=True)).to_be_visible()
        expect(page.get_by_text("Fails if more than 30 hours since last materialization")).to_be_visible()
        shot(page, "06-registry-household.png")

    run_id = run_path.removeprefix("/runs/")
    assert_no_personal_data_in_the_instance(Path(instance_env["DAGSTER_HOME"]), instance_env, run_id)


def deliver_tiny_landing_zone(landing: Path) -> None:
    """Twenty synthetic households from the project's own generator, all four agencies."""
    from sejahtera.generate import generate_landing_zone

    generate_landing_zone(out=landing, households=20, seed=7)


def assert_no_personal_data_in_the_instance(home: Path, env: dict[str, str], run_id: str) -> None:
    """The run's logs, metadata and captured output (all under DAGSTER_HOME) hold no raw NIK and no full name."""
    with duckdb.connect(env["SEJAHTERA_WAREHOUSE"], read_only=True) as con:
        niks = {
            r[0] for r in con.execute("SELECT nik FROM registry.person WHERE length(nik) = 16").fetchall()
        }
        names = {
            r[0] for r in con.execute("SELECT nama FROM registry.person WHERE nama LIKE '% %'").fetchall()
        }
    assert niks and names, "the run published no persons: nothing to look for"
    stored = b"".join(path.read_bytes() for path in home.rglob("*") if path.is_file())
    assert run_id.encode() in stored, "the run's events are not where this check looks"
    leaked_niks = sorted(nik for nik in niks if nik.encode() in stored)
    leaked_names = sorted(name for name in names if name.encode() in stored)
    assert leaked_niks == [], f"{len(leaked_niks)} raw NIKs in Dagster's storage"
    assert leaked_names == [], f"{len(leaked_names)} full names in Dagster's storage"

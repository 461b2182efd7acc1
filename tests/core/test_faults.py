"""The fault-point hook: silent unless named, then it raises, SIGKILLs or SIGTERMs its own process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from sejahtera.faults import FAULT_ENV, InjectedFault, fault_point, parse


def test_without_the_variable_a_fault_point_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FAULT_ENV, raising=False)
    fault_point("publish", "before_commit")


def test_only_the_named_point_fires(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_ENV, "publish:before_commit:raise")
    fault_point("publish", "after_commit")
    fault_point("exports", "between_provinces")
    with pytest.raises(InjectedFault, match="publish:before_commit"):
        fault_point("publish", "before_commit")


@pytest.mark.parametrize(
    "value",
    ["publish", "publish:before_commit:explode", "publish:nowhere", "a:b:c:d", "publish:before_commit:"],
)
def test_a_misspelt_fault_is_an_error_not_a_silent_no_op(value: str) -> None:
    with pytest.raises(ValueError, match=FAULT_ENV):
        parse(value)


def test_kill_is_the_default_action() -> None:
    assert parse("linkage:before_resolving") == ("linkage", "before_resolving", "kill")


@pytest.mark.parametrize(("action", "signal_"), [("kill", signal.SIGKILL), ("term", signal.SIGTERM)])
def test_the_process_dies_by_the_signal_asked_for(action: str, signal_: signal.Signals) -> None:
    code = (
        # The child inherits an ignored or blocked SIGTERM from the pytest worker that starts it (whatever an
        # earlier test in that worker left behind): it starts from the default, so the hook is what is tested.
        "import signal\n"
        "signal.signal(signal.SIGTERM, signal.SIG_DFL)\n"
        "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})\n"
        "from sejahtera.faults import fault_point\n"
        "fault_point('publish', 'after_commit')\n"  # not the named point: goes on
        "fault_point('exports', 'between_provinces')\n"
        "print('survived')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, FAULT_ENV: f"exports:between_provinces:{action}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == -signal_
    assert "survived" not in done.stdout

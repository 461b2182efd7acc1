"""Named fault points: where the reliability tests kill or break a run, chosen in code instead of by sleeping.

A step calls ``fault_point("publish", "before_commit")`` at a place where a crash must be survivable. Nothing
happens unless the environment variable ``SEJAHTERA_FAULT`` names that very point:

* ``SEJAHTERA_FAULT=publish:before_commit`` or ``publish:before_commit:kill``: the process SIGKILLs itself, as an
  out-of-memory kill or a pulled plug would (no ``finally``, no atexit, no Dagster event);
* ``SEJAHTERA_FAULT=publish:before_commit:raise``: :class:`InjectedFault` is raised, as a bug would;
* ``SEJAHTERA_FAULT=publish:before_commit:term``: the process sends itself SIGTERM, as ``kill`` or a service
  stop would.

Unset (production) the check is one dictionary lookup. The points in use are listed in :data:`POINTS`, so a test
naming a point that does not exist fails instead of silently never firing.
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "SEJAHTERA_FAULT"
ACTIONS = ("kill", "raise", "term")

POINTS: frozenset[tuple[str, str]] = frozenset(
    {
        ("extract", "after_first_drop"),
        ("validate", "after_first_drop"),
        ("linkage", "before_resolving"),
        ("publish", "before_commit"),
        ("publish", "after_commit"),
        ("exports", "between_provinces"),
    }
)
"""Every (step, point) some code calls :func:`fault_point` with."""


class InjectedFault(RuntimeError):
    """Raised at a fault point named with ``:raise``: a failure the tests asked for, not a bug."""


def fault_point(step: str, point: str) -> None:
    """Die, or raise, here if ``SEJAHTERA_FAULT`` names ``step:point``; otherwise do nothing."""
    wanted = os.environ.get(FAULT_ENV)
    if not wanted:
        return
    target_step, target_point, action = parse(wanted)
    if (target_step, target_point) != (step, point):
        return
    if action == "raise":
        raise InjectedFault(f"fault injected at {step}:{point}")
    os.kill(os.getpid(), signal.SIGTERM if action == "term" else signal.SIGKILL)


def parse(value: str) -> tuple[str, str, str]:
    """``step:point[:action]`` -> (step, point, action); an unknown point or action is an error, not a no-op."""
    parts = value.strip().split(":")
    if len(parts) == 2:
        parts.append("kill")
    if len(parts) != 3 or parts[2] not in ACTIONS:
        raise ValueError(f"{FAULT_ENV} must be <step>:<point>[:{'|'.join(ACTIONS)}], not {value!r}")
    step, point, action = parts
    if (step, point) not in POINTS:
        known = ", ".join(sorted(f"{s}:{p}" for s, p in POINTS))
        raise ValueError(f"{FAULT_ENV} names no fault point {step}:{point} (known: {known})")
    return step, point, action

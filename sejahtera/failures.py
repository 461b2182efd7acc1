"""Failures that no retry can fix, said so to Dagster so that its retry policy skips them.

The jobs retry every step twice with backoff (``pipelines.jobs.TRANSIENT_FAILURE_RETRY``) because the failures we
expect are transient: a lock wait running out, a flaky mount. A broken rule file, an unknown drop named for
reprocessing, a model that cannot be trained or a refused export are the same on the next attempt: retrying them
only delays the alert by half a minute and repeats the same error three times in the run's log.
"""

from __future__ import annotations

import dagster as dg


class PermanentFailure(dg.Failure):
    """A step failure that a retry cannot fix: Dagster fails the step at once (``allow_retries=False``)."""

    def __init__(self, description: str) -> None:
        super().__init__(description=description, allow_retries=False)

"""The ``sejahtera`` command (contract section 5): ``generate`` a synthetic landing zone, ``run`` the nightly job.

``run`` executes the very job the nightly schedule launches (``nightly`` from the code location), in this process,
against the Dagster instance in ``DAGSTER_HOME``, so the run shows in the UI's run history like any other.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sejahtera.settings import Settings, ensure_dagster_home


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sejahtera", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write a synthetic landing zone and its ground truth")
    gen.add_argument("--out", type=Path, required=True, help="landing-zone folder to write")
    gen.add_argument("--households", type=int, default=10_000)
    gen.add_argument("--seed", type=int, default=42)

    run = commands.add_parser(
        "run", help="process every complete drop not yet processed and publish the registry"
    )
    run.add_argument(
        "--reprocess",
        action="append",
        default=[],
        metavar="SOURCE.DROP_ID",
        help="look at this drop again even if its manifest is unchanged (repeatable)",
    )
    run.add_argument("--quiet", action="store_true", help="print only the summary")

    commands.add_parser("summary", help="print a summary of the published registry")

    args = parser.parse_args(argv)
    if args.command == "generate":
        from sejahtera.generate import generate_landing_zone

        report = generate_landing_zone(out=args.out, households=args.households, seed=args.seed)
        print(report)
        return 0
    if args.command == "run":
        return _run(reprocess=args.reprocess, quiet=args.quiet)
    return _summary()


def _run(reprocess: list[str], quiet: bool) -> int:
    settings = Settings.from_env()
    ensure_dagster_home(settings)
    from pipelines.launch import launch_nightly

    succeeded = launch_nightly(reprocess=reprocess, log_level="WARNING" if quiet else "INFO")
    if succeeded:
        _summary()
        return 0
    print(_failure_message(settings), file=sys.stderr)
    return 1


def _failure_message(settings: Settings) -> str:
    """Whether the failed run published the registry before it failed (exports come after the publish)."""
    import dagster as dg

    from pipelines.run_report import failure_message

    with dg.DagsterInstance.get() as instance:
        return failure_message(instance, settings.warehouse)


def _summary() -> int:
    from assets.registry.summary import registry_summary

    print(registry_summary(Settings.from_env().warehouse))
    return 0


if __name__ == "__main__":
    sys.exit(main())

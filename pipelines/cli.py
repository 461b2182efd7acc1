"""The ``sejahtera`` command (contract section 5): ``generate``, ``run``, ``summary`` and ``explain``.

``explain`` prints one masked page about a household (assets/registry/explain/).

``run`` executes the very job the nightly schedule launches (``nightly`` from the code location), in this process,
against the Dagster instance in ``DAGSTER_HOME``, so the run shows in the UI's run history like any other.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sejahtera.permissions import restrict_new_files
from sejahtera.settings import Settings, ensure_dagster_home


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sejahtera", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write a synthetic landing zone and its ground truth")
    gen.add_argument("--out", type=Path, required=True, help="landing-zone folder to write")
    gen.add_argument("--households", type=int, default=10_000)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument(
        "--chunk-households",
        type=int,
        default=None,
        metavar="N",
        help="households generated and written at a time: bounds memory (default 50,000; the output depends on it)",
    )

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
    run.add_argument(
        "--full",
        action="store_true",
        help="full rebuild: score every candidate pair again instead of reusing earlier runs' scores",
    )
    run.add_argument("--quiet", action="store_true", help="print only the summary")
    run.add_argument(
        "--wait-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="give up when another run has held the warehouse this long while this one waits (default 6 h)",
    )

    commands.add_parser("summary", help="print a summary of the published registry")

    why = commands.add_parser("explain", help="one masked page on why a household is as published")
    ids = why.add_mutually_exclusive_group(required=True)
    for kind in ("nik", "kk", "household"):
        ids.add_argument(f"--{kind}", metavar=kind.upper() if kind != "household" else "ID")
    why.add_argument("--format", choices=("text", "json"), default="text")
    why.add_argument("--unmask", action="store_true", help="show NIK, KK and names (audited)")
    why.add_argument(
        "--authorised-by", metavar="NAME", help="who authorised --unmask (written to ops.unmask_audit)"
    )

    args = parser.parse_args(argv)
    restrict_new_files()
    if args.command == "generate":
        from sejahtera.generate import generate_landing_zone

        chunk = {} if args.chunk_households is None else {"chunk_households": args.chunk_households}
        report = generate_landing_zone(out=args.out, households=args.households, seed=args.seed, **chunk)
        print(report)
        return 0
    if args.command == "run":
        return _run(
            reprocess=args.reprocess, quiet=args.quiet, wait_timeout=args.wait_timeout, full=args.full
        )
    if args.command == "explain":
        return _explain(args)
    return _summary()


EXIT_INTERRUPTED = 130


def _run(reprocess: list[str], quiet: bool, wait_timeout: float | None, full: bool = False) -> int:
    settings = Settings.from_env()
    ensure_dagster_home(settings)
    from pipelines.launch import DEFAULT_WAIT_TIMEOUT_SECONDS, launch_nightly

    if wait_timeout is None:
        wait_timeout = DEFAULT_WAIT_TIMEOUT_SECONDS
    try:
        outcome = launch_nightly(
            reprocess=reprocess,
            log_level="WARNING" if quiet else "INFO",
            wait_timeout_seconds=wait_timeout,
            full=full,
        )
    except KeyboardInterrupt:  # before or after the run itself, where Dagster does not catch it
        print("sejahtera run: stopped by an interrupt; nothing was published.", file=sys.stderr)
        return EXIT_INTERRUPTED
    if outcome.stopped == "interrupted":
        print(
            f"sejahtera run: stopped by an interrupt while waiting for the warehouse ({outcome.holder}); "
            "nothing was published.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    if outcome.stopped == "timeout":
        print(
            f"sejahtera run: gave up after waiting more than {wait_timeout:g} s "
            f"for the warehouse ({outcome.holder}); nothing was published (--wait-timeout sets the limit).",
            file=sys.stderr,
        )
        return 1
    if outcome.success:
        _summary(after_run=True)
        return 0
    print(_failure_message(settings), file=sys.stderr)
    return 1


def _failure_message(settings: Settings) -> str:
    """Whether the failed run published the registry before it failed (exports come after the publish)."""
    import dagster as dg

    from pipelines.run_report import failure_message

    with dg.DagsterInstance.get() as instance:
        return failure_message(instance, settings.warehouse)


def _explain(args: argparse.Namespace) -> int:
    from assets.registry.explain.command import run_explain

    kind = next(k for k in ("nik", "kk", "household") if getattr(args, k) is not None)
    return run_explain(
        kind,
        getattr(args, kind),
        warehouse_path=Settings.from_env().warehouse,
        output_format=args.format,
        unmask=args.unmask,
        authorised_by=args.authorised_by,
    )


def _summary(after_run: bool = False) -> int:
    from pipelines.launch import print_summary

    return print_summary(Settings.from_env().warehouse, after_run=after_run)


if __name__ == "__main__":
    sys.exit(main())

"""Agencies declared outside the package: ``SEJAHTERA_EXTRA_SOURCES`` names the modules that hold them.

A fifth agency should not need an edit of this package: its declaration (a :class:`SourceSpec`) and its
expectation suites can live in the operator's own module. The setting is a comma-separated list of importable
module paths (``SEJAHTERA_EXTRA_SOURCES=kemenkes.source``); each module lists its agencies in ``SOURCE_SPECS``.
Their suites ``<source>.<entity>.json`` are read from the spec's ``suites_dir``, or else from the module's folder.
Any problem (a module that does not import, no ``SOURCE_SPECS``, a name taken) stops the pipeline with one line
that names the module: a silently ignored agency would lose its drops.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from pathlib import Path

from sejahtera.sources.spec import SourceSpec

SETTING = "SEJAHTERA_EXTRA_SOURCES"


class SourceDeclarationError(ValueError):
    """An extra source cannot be used; the message names the setting, the module and the problem."""


def extra_sources(taken: set[str], setting: str | None = None) -> list[SourceSpec]:
    """The agencies of the modules ``setting`` (default: the environment's) names, suites located beside them."""
    value = os.environ.get(SETTING, "") if setting is None else setting
    found: list[SourceSpec] = []
    for module_path in (part.strip() for part in value.split(",")):
        if not module_path:
            continue
        for spec in _specs_of(module_path):
            if spec.spine:
                raise SourceDeclarationError(
                    f"{SETTING}: {module_path}: {spec.name} cannot be a second spine"
                )
            if spec.name in taken:
                raise SourceDeclarationError(
                    f"{SETTING}: {module_path}: source {spec.name!r} is already declared"
                )
            taken.add(spec.name)
            found.append(spec)
    return found


def _specs_of(module_path: str) -> list[SourceSpec]:
    try:
        module = importlib.import_module(module_path)
    except Exception as exc:  # any import failure is the operator's to fix: say which module and why
        raise SourceDeclarationError(
            f"{SETTING}: {module_path}: cannot be imported ({type(exc).__name__}: {exc})"
        ) from None
    specs = getattr(module, "SOURCE_SPECS", None)
    if not specs or not all(isinstance(s, SourceSpec) for s in specs):
        raise SourceDeclarationError(
            f"{SETTING}: {module_path} must define SOURCE_SPECS, a list of SourceSpec"
        )
    folder = Path(module.__file__).resolve().parent if module.__file__ else None
    return [s if s.suites_dir or folder is None else dataclasses.replace(s, suites_dir=folder) for s in specs]

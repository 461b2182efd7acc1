"""Ships the rule folders inside the wheel, so an installed sejahtera finds them outside a checkout.

``config/``, ``expectations/``, ``reference/``, the local instance template ``deploy/dagster.yaml`` and the
Kubernetes executor's default config ``deploy/k8s/nightly_executor.yaml`` stay at the top of the repository (where people edit them); the build copies them into ``sejahtera/bundled/``, which
:data:`sejahtera.RULES_ROOT` falls back to when the package runs from an installed wheel. Everything else about
the build is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("config", "expectations", "reference", "deploy/dagster.yaml", "deploy/k8s/nightly_executor.yaml")


class BuildWithRules(build_py):
    """``build_py`` that also copies the rule folders into the built package."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "sejahtera" / "bundled"
        for name in BUNDLED:
            source = HERE / name
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, destination, dirs_exist_ok=True)
            else:
                shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildWithRules})

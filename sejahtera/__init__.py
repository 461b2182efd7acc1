"""sejahtera: keeps Indonesia's poverty registry true.

The package is the core every pipeline stage shares (settings, the Dagster resources, the warehouse connection,
the agencies' declarations, the SQL and rule-file loaders, masking of personal data, the Kemendagri reference
lists, the NIK rule) and the synthetic drop generator. The Dagster assets live in the top-level ``assets``
package, the code location and the ``sejahtera`` command in ``pipelines``; the core imports neither.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout's root (where ``make`` and the tests run)."""

RULES_ROOT = (
    PROJECT_ROOT if (PROJECT_ROOT / "config").is_dir() else Path(__file__).resolve().parent / "bundled"
)
"""Where ``config/``, ``expectations/``, ``reference/``, ``deploy/dagster.yaml`` and
``deploy/k8s/nightly_executor.yaml`` are read from: the checkout, or the copy an installed wheel carries in
``sejahtera/bundled/`` (``setup.py`` puts it there)."""

"""sejahtera: keeps Indonesia's poverty registry true.

The package holds what every pipeline stage shares (settings, the warehouse connection, masking of personal
data, the Kemendagri reference lists, the NIK rule), the command line and the synthetic drop generator.
The Dagster assets live in the top-level ``assets`` package, the code location in ``pipelines``.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout's root: config files, reference lists and expectation suites are read from here."""

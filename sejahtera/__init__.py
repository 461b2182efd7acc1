"""sejahtera: keeps Indonesia's poverty registry true.

The package is the core every pipeline stage shares (settings, the Dagster resources, the warehouse connection,
the agencies' declarations, the SQL and rule-file loaders, masking of personal data, the Kemendagri reference
lists, the NIK rule) and the synthetic drop generator. The Dagster assets live in the top-level ``assets``
package, the code location and the ``sejahtera`` command in ``pipelines``; the core imports neither.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout's root: config files, reference lists and expectation suites are read from here."""

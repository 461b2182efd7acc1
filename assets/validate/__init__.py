"""The validate stage (see docs/architecture.md). Exports `assets` and `asset_checks` for pipelines/definitions.py."""

assets: list = []
asset_checks: list = []

"""Dagster assets of sejahtera, one package per stage: extract, validate, reconcile, registry."""

"""``sejahtera explain`` and the ``explain`` job: one masked page about a household, from the published registry.

``page.py`` reads the registry into sections, ``render.py`` lays them out (text, markdown, JSON), ``command.py``
is the command line (with the unmask audit) and ``job.py`` the Dagster job a data engineer launches from the UI.
The queries are in ``assets/registry/sql/explain.sql``.
"""

"""The test kit every folder of ``tests/`` shares (importable as ``support`` because ``tests/`` is on the path).

- ``identities``: well-formed NIK and KK numbers, and the given names of the synthetic towns; ``slips``: the
  mistakes agencies make writing them; ``surveys``: an ordinary household's Regsosek answers.
- ``landing``: a drop in a landing zone exactly as the contract describes it (data files first, then a manifest
  with the right sha256 and row counts), and the CSV / gzip / Parquet bytes that go into it.
- ``duck``: ``query()`` and ``frame()``, reading a DuckDB warehouse file read-only; ``linked``: where reconcile
  put a record; ``contract``: the published tables' leading columns.
- ``cli``: an operator's machine in a tmp dir (landing zone, warehouse, Dagster home) and ``sejahtera`` run on it
  in a fresh process; ``dagster_ui``: Dagster's webserver or ``dagster dev`` started and stopped whole;
  ``job_script``: a one-step job run as a script in its own process (another run holding the pool).
- one builder per stage, each writing what that stage reads: ``extract_harness`` (tiny drops built from the
  adapters, and the extract assets run in Dagster), ``work_area`` (validate's input), ``snapshots`` (reconcile's
  input and a training population), ``registry_world`` (the registry's input), ``agency_drops`` (hand-written
  drops in each agency's format, for the end-to-end runs), ``generated_zone`` (reading the generator's output
  back independently of it).
"""

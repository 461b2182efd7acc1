-- The validate stage's bookkeeping tables in the run's work area (docs/architecture.md).
-- Contract columns first (quality.quarantine, ops.drop_ledger), then extras.

CREATE OR REPLACE TABLE work.quarantine (
    source           VARCHAR NOT NULL,
    drop_id          VARCHAR NOT NULL,
    file             VARCHAR NOT NULL,
    row_number       BIGINT  NOT NULL,  -- 1-based data row of the file, header excluded
    source_record_id VARCHAR,           -- NULL when the record id itself is blank
    rule             VARCHAR NOT NULL,  -- sejahtera/rules/row_rules.py
    detail           VARCHAR NOT NULL,  -- one line, masked values only
    run_id           VARCHAR NOT NULL
);

CREATE OR REPLACE TABLE work.row_warning (
    source      VARCHAR NOT NULL,
    drop_id     VARCHAR NOT NULL,
    file        VARCHAR NOT NULL,
    row_number  BIGINT  NOT NULL,
    warning     VARCHAR NOT NULL,       -- assets/validate/identity_warnings.py
    column_name VARCHAR NOT NULL,       -- the validation frame column that failed
    run_id      VARCHAR NOT NULL
);

-- The ledger is work.drop as this run leaves it (write_ledger.sql), less its apply_order, plus the run: its columns
-- are work.drop's (assets/extract/bookkeeping.py, the one definition of a drop's bookkeeping), so the two cannot
-- drift apart. Needs extract's work.drop.
CREATE OR REPLACE TABLE work.ledger AS
SELECT * EXCLUDE (apply_order), CAST(NULL AS VARCHAR) AS run_id FROM work.drop LIMIT 0;

CREATE OR REPLACE TABLE work.ledger_file (
    source           VARCHAR NOT NULL,
    drop_id          VARCHAR NOT NULL,
    file             VARCHAR NOT NULL,
    entity           VARCHAR NOT NULL,
    rows_in          BIGINT  NOT NULL,
    rows_loaded      BIGINT  NOT NULL,
    rows_quarantined BIGINT  NOT NULL,
    run_id           VARCHAR NOT NULL
);

CREATE OR REPLACE TABLE work.expectation_result (
    source           VARCHAR NOT NULL,
    drop_id          VARCHAR NOT NULL,
    file             VARCHAR NOT NULL,
    suite            VARCHAR NOT NULL,
    expectation      INTEGER NOT NULL,  -- index in the suite file
    expectation_type VARCHAR NOT NULL,
    column_name      VARCHAR NOT NULL,
    rule             VARCHAR,
    warning          VARCHAR,
    element_count    BIGINT  NOT NULL,
    unexpected_count BIGINT  NOT NULL,
    data_docs        VARCHAR,
    run_id           VARCHAR NOT NULL
);

CREATE OR REPLACE TABLE work.drop_report (
    source         VARCHAR NOT NULL,
    drop_id        VARCHAR NOT NULL,
    entity         VARCHAR,
    check_kind     VARCHAR NOT NULL,  -- rule | warning
    name           VARCHAR NOT NULL,  -- the rule or warning
    kode_provinsi  VARCHAR,           -- NULL: the row's region is unknown
    provinsi       VARCHAR,
    kode_kabupaten VARCHAR,
    kabupaten      VARCHAR,
    row_count      BIGINT  NOT NULL,  -- distinct rows
    run_id         VARCHAR NOT NULL
);

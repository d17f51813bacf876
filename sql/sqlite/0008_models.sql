-- Fitted customer-base models (BG/NBD or Pareto/NBD with Gamma-Gamma): append-only, a new fit
-- is a new row. params is JSON (see docs/models.md); times are UTC seconds; [data_from,
-- data_to) is the calibration window the parameters were fitted on.
CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    kind TEXT NOT NULL CHECK (kind IN ('bgnbd', 'paretonbd')),
    params TEXT NOT NULL,
    ll REAL NOT NULL,
    n INTEGER NOT NULL CHECK (n > 0),
    data_from INTEGER NOT NULL,
    data_to INTEGER NOT NULL,
    fitted_at INTEGER NOT NULL,
    fitted_by TEXT NOT NULL
);
CREATE INDEX models_latest ON models(merchant_id, kind, id);

CREATE TRIGGER models_append_only BEFORE UPDATE ON models
BEGIN
    SELECT RAISE(ABORT, 'models are append-only: fit again for new parameters');
END;

-- Merging two duplicate enterprises (issue 14: "merge of two duplicate enterprises keeps both
-- histories"). When one enterprise was registered twice (once by hand, once by import), the
-- administrator merges the duplicate into the one kept (`ssr::admin::merge_unit`). Nothing is
-- deleted: the duplicate's filings, reviews, escalations and audit records stay under its own
-- id, it is closed as of the merge (`domain::lifecycle::merged_closing`), its accounts move to
-- the kept unit, and this row links the two so that the kept unit's history shows both.

CREATE TABLE unit_merge (
    -- the duplicate; a unit is merged at most once (the primary key is the guard)
    merged_unit_id TEXT PRIMARY KEY REFERENCES unit (unit_id),
    -- the enterprise kept, which carries on for both
    kept_unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    -- the Kunming date (YYYY-MM-DD) of the merge
    merged_on TEXT NOT NULL,
    -- the instant of the merge, as `created_at`
    merged_at TEXT NOT NULL,
    CHECK (merged_unit_id <> kept_unit_id)
);
CREATE INDEX unit_merge_by_kept ON unit_merge (kept_unit_id);

-- Unit lifecycle (issue 14): a unit's opening and closing dates decide the periods it is
-- expected to file for (`domain::lifecycle`: open on some day from 1 January of the period's
-- year to the last day of its window, 107号 四、(一)). A unit not open in a period is neither
-- counted as expected in the roll-ups nor missing for the ladder (106号 第五条（四）).

-- The Kunming date (YYYY-MM-DD) the unit opened. Units recorded before this migration are
-- taken as open since 107号 was issued (2010-04-29), which keeps every period's counts as
-- they were; new units get their date from whoever records them.
ALTER TABLE unit ADD COLUMN opened_on TEXT NOT NULL DEFAULT '2010-04-29';
-- The Kunming date it closed (its last open day); NULL while it is open.
ALTER TABLE unit ADD COLUMN closed_on TEXT;
-- When its life (or place) was last changed by hand, an instant as `created_at`; '' when
-- never since its creation. The ladder's incremental runs weigh such units again.
ALTER TABLE unit ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
CREATE INDEX unit_by_change ON unit (updated_at);

-- Units per cell, now also per span of periods they are expected for: first_period and
-- last_period are period keys (`2026-H1`, `2026-Y`, which sort as the periods do);
-- last_period '' while the units are open. A period's expected units in a cell are the sum
-- over the spans containing it. Units of unknown opening start at the regime's first
-- period, 2010-H1.
CREATE TABLE unit_cell_life (
    county_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    industry TEXT NOT NULL,
    township_id TEXT NOT NULL,
    first_period TEXT NOT NULL,
    last_period TEXT NOT NULL,
    units BIGINT NOT NULL,
    PRIMARY KEY (county_id, kind, industry, township_id, first_period, last_period)
);
INSERT INTO unit_cell_life (county_id, kind, industry, township_id, first_period, last_period, units)
    SELECT county_id, kind, industry, township_id, '2010-H1', '', units FROM unit_cell;
DROP TABLE unit_cell;
ALTER TABLE unit_cell_life RENAME TO unit_cell;

-- An enterprise's earlier places (moves, issue 14): until `until_period` (a period key) it
-- stood in this county, township and industry ('' for none); the periods after it belong to
-- its next place (the next row's, or its current one after the last row). A period's filings,
-- its expected count and where its filings go follow the place the unit had for that period
-- (`domain::lifecycle::spans_by_place`), so a move neither re-routes nor re-counts what was
-- already filed (107号 四、(二)). Written with the move's audit record (`units::move_enterprise`).
CREATE TABLE unit_past_place (
    unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    until_period TEXT NOT NULL,
    county_id TEXT NOT NULL,
    industry TEXT NOT NULL,
    township_id TEXT NOT NULL,
    -- the instant of the move that left this place
    moved_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, until_period)
);

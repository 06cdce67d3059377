-- How often an office's escalations have changed (issue 12): every transaction that changes
-- one (issue, dismiss, reply, decision, close, a run's new proposals) adds one, first thing,
-- holding the row until it commits. A proposal run reads the number before it loads its
-- facts and stores its proposals only if the number is still the same, so a run never
-- re-proposes what staff dismissed or issued while it was working (it loads again instead).
CREATE TABLE office_generation (
    issuer_unit_id TEXT PRIMARY KEY REFERENCES unit (unit_id),
    generation BIGINT NOT NULL
);

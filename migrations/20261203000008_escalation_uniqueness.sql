-- Uniqueness in the database, not in the code (concurrent proposal runs, two instances, staff
-- issuing at the same moment).

-- Open proposals made twice by concurrent runs before this migration: all but the first of
-- each (issuer, target, rung, findings) are dismissed as duplicates, so nothing is deleted
-- and the index below can hold.
UPDATE escalation
   SET status = 'dismissed',
       dismiss_reason = '重复的建议（系统合并，与较早的同一建议相同）',
       dismissed_at = updated_at
 WHERE status = 'proposed'
   AND origin = 'proposal'
   AND EXISTS (
       SELECT 1 FROM escalation first
        WHERE first.status = 'proposed'
          AND first.origin = 'proposal'
          AND first.issuer_unit_id = escalation.issuer_unit_id
          AND first.target_unit_id = escalation.target_unit_id
          AND first.rung = escalation.rung
          AND first.evidence_keys = escalation.evidence_keys
          AND first.escalation_id < escalation.escalation_id);

-- One open proposal per office, unit, rung and findings: a second run inserting the same one
-- does nothing (INSERT … ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX escalation_one_open_proposal
    ON escalation (issuer_unit_id, target_unit_id, rung, evidence_keys)
    WHERE status = 'proposed';

-- The last document number given per office, rung and year (五华区安委办告诫〔2027〕3号):
-- incremented in the issuing transaction, so numbers are unique and without gaps (a rolled
-- back issue rolls its number back too); replaces MAX(number_seq) + 1.
CREATE TABLE document_counter (
    issuer_unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    rung TEXT NOT NULL,
    number_year BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (issuer_unit_id, rung, number_year)
);

INSERT INTO document_counter (issuer_unit_id, rung, number_year, last_seq)
SELECT issuer_unit_id, rung, number_year, MAX(number_seq)
  FROM escalation
 WHERE number_year IS NOT NULL AND number_seq IS NOT NULL
 GROUP BY issuer_unit_id, rung, number_year;

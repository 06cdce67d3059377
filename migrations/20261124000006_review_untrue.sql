-- A return can say the filing does not match the facts (不符合事实, 106号 第七条（五）): such a
-- filing counts as untrue for the escalation ladder.

-- 1 when the reviewer returned the filing as untrue
ALTER TABLE filing_review ADD COLUMN untrue BIGINT NOT NULL DEFAULT 0;

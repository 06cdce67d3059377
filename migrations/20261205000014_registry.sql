-- The enterprise registry (issue 14): an enterprise's unified social credit code
-- (统一社会信用代码, GB 32100—2015), unique, by which an import finds it again; and whom to
-- call. Enterprises created before have none until an import or an administrator gives it.
ALTER TABLE enterprise ADD COLUMN credit_code TEXT;
ALTER TABLE enterprise ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprise ADD COLUMN phone TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX enterprise_by_credit_code ON enterprise (credit_code);

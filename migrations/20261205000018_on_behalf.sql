-- Filing on behalf from paper (代填, issue 14): a department that receives an enterprise's
-- filing, or the township it lies in, enters the unit's sealed paper form. The version then
-- records who entered it and the date on the paper; both are empty for a version the unit
-- filed itself. A version is on paper exactly when `paper_date` is set.

-- the user who entered this version from the unit's paper form (not the unit's own filer)
ALTER TABLE filing ADD COLUMN entered_by TEXT REFERENCES app_user (user_id);
-- 申报时间 as written on the paper form (a Kunming date, '2027-01-08'); the filing counts as
-- made on this day (on time if it lies in the window, 107号 四、(一))
ALTER TABLE filing ADD COLUMN paper_date TEXT;

-- Foundation: industries, the unit hierarchy, accounts, sessions and the audit trail.
-- Valid on SQLite and PostgreSQL alike: TEXT keys (UUID v7 or stable codes), BIGINT numbers,
-- instants as TEXT in RFC 3339 UTC ('2027-01-05T02:00:00Z'), which sort as they compare.

-- The sixteen industries in scope, 107号 三、(二) 申报范围.
CREATE TABLE industry (
    industry_code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    -- position in the list of 三、(二)
    sort_order BIGINT NOT NULL
);

INSERT INTO industry (industry_code, name_zh, name_en, sort_order) VALUES
    ('coal_mine', '煤矿', 'coal mines', 1),
    ('non_coal_mine', '非煤矿山', 'non-coal mines', 2),
    ('chemical', '化工', 'chemicals', 3),
    ('petroleum', '石油', 'petroleum', 4),
    ('construction', '建筑施工', 'building construction', 5),
    ('road_traffic', '道路交通', 'road traffic', 6),
    ('fire', '消防', 'fire safety', 7),
    ('nonferrous_metallurgy', '有色冶金', 'non-ferrous metallurgy', 8),
    ('special_equipment', '特种设备', 'special equipment', 9),
    ('building_materials', '建材', 'building materials', 10),
    ('agricultural_machinery', '农机', 'agricultural machinery', 11),
    ('water_conservancy', '水利', 'water conservancy', 12),
    ('tourism', '旅游', 'tourism', 13),
    ('light_industry', '轻工', 'light industry', 14),
    ('textile', '纺织', 'textiles', 15),
    ('civil_explosives', '民爆器材', 'civil explosives', 16);

-- Every unit of the reporting chain (107号 四、(二)): governments, management committees,
-- safety committee offices, supervising departments, townships and enterprises.
CREATE TABLE unit (
    unit_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('city_government', 'county_government',
        'management_committee', 'safety_office', 'department', 'township', 'enterprise')),
    -- The unit above this one: the city government for a county-level government; its own
    -- government for an office or a department; the county-level government for a township
    -- or an enterprise. Only the city government has none.
    parent_id TEXT REFERENCES unit (unit_id),
    -- The county-level government (or management committee) whose area this unit lies in;
    -- NULL for city-level units. A county-level government points at itself.
    county_id TEXT REFERENCES unit (unit_id),
    -- Administrative division code or short tag for county-level governments.
    area_code TEXT UNIQUE,
    created_at TEXT NOT NULL,
    CHECK ((kind = 'city_government') = (parent_id IS NULL)),
    CHECK (kind NOT IN ('township', 'enterprise') OR county_id IS NOT NULL)
);

CREATE UNIQUE INDEX unit_name_under_parent ON unit (parent_id, name);
CREATE INDEX unit_county ON unit (county_id, kind);

-- The industries a supervising department supervises (按行业性质, 107号 四、(二)1).
CREATE TABLE department_industry (
    unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    industry_code TEXT NOT NULL REFERENCES industry (industry_code),
    PRIMARY KEY (unit_id, industry_code)
);

CREATE INDEX department_industry_by_industry ON department_industry (industry_code);

-- What is known of an enterprise (生产经营单位) beyond its unit row.
CREATE TABLE enterprise (
    unit_id TEXT PRIMARY KEY REFERENCES unit (unit_id),
    -- the township or sub-district it lies in, if known
    township_id TEXT REFERENCES unit (unit_id),
    industry_code TEXT NOT NULL REFERENCES industry (industry_code),
    address TEXT NOT NULL,
    -- 法定代表人
    legal_representative TEXT NOT NULL,
    -- 从业人员 (number of employees); 107号 五、(三) sets staffing duties by it
    headcount BIGINT NOT NULL CHECK (headcount >= 0)
);

CREATE INDEX enterprise_by_industry ON enterprise (industry_code);

-- Accounts. A user belongs to exactly one unit and has exactly one role.
CREATE TABLE app_user (
    user_id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES unit (unit_id),
    role TEXT NOT NULL CHECK (role IN ('enterprise_filer', 'department_staff', 'township_staff',
        'county_office_staff', 'city_office_staff', 'administrator')),
    -- argon2id PHC string
    password_hash TEXT NOT NULL,
    -- consecutive failed logins since the last success; drives the slow-down
    failed_logins BIGINT NOT NULL DEFAULT 0,
    -- no login is accepted before this instant (set after repeated failures)
    locked_until TEXT,
    created_at TEXT NOT NULL
);

CREATE INDEX app_user_by_unit ON app_user (unit_id);

-- Server-side web sessions (tower-sessions records as JSON).
CREATE TABLE web_session (
    session_id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    -- Unix seconds; real time, not the app clock, so a fixed clock cannot expire a login
    expires_at BIGINT NOT NULL
);

CREATE INDEX web_session_expiry ON web_session (expires_at);

-- Every state change: who, when (app clock), what, and the before and after as JSON,
-- written in the same transaction as the change itself.
CREATE TABLE audit_event (
    audit_event_id TEXT PRIMARY KEY,
    occurred_at TEXT NOT NULL,
    -- NULL for the system itself (migrations, seeding, command line)
    actor_user_id TEXT REFERENCES app_user (user_id),
    action TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);

CREATE INDEX audit_event_by_subject ON audit_event (subject_kind, subject_id, occurred_at);

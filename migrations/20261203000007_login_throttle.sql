-- Login throttling, in one table that holds under concurrent attempts (replaces
-- app_user.failed_logins / locked_until, which parallel requests could race past and which
-- told apart names with an account from names without one).
CREATE TABLE login_throttle (
    -- 'name': the username as typed, whether or not an account has it;
    -- 'addr': the client's address
    scope TEXT NOT NULL CHECK (scope IN ('name', 'addr')),
    throttle_key TEXT NOT NULL,
    -- name: attempts counted since the last success, each counted before its password is
    -- checked; addr: failures within the last hour
    attempts BIGINT NOT NULL DEFAULT 0,
    -- no attempt is checked before this instant (seconds since the Unix epoch, real time)
    locked_until BIGINT,
    -- the last change (seconds since the Unix epoch, real time); an hour later the count
    -- starts again
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (scope, throttle_key)
);

ALTER TABLE app_user DROP COLUMN failed_logins;
ALTER TABLE app_user DROP COLUMN locked_until;

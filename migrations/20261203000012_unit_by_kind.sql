-- Units by kind: the city's scope, place names and the city government are read by kind
-- (scope.rs); without it each of those read every unit, 100,000 enterprises included
-- (issue 13, 8 to 13 ms each at 100k in SQLite).
CREATE INDEX unit_by_kind ON unit (kind);

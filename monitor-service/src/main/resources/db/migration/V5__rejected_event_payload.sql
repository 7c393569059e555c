-- A refused or unstorable record is kept as it arrived (raw bytes: it may hold what text columns refuse, e.g. a NUL),
-- so it can be examined and, once fixed, replayed. Also rows for records that passed verification but failed
-- storage deterministically (reason 'unstorable', detail with the SQLSTATE).
alter table rejected_event add column payload bytea;

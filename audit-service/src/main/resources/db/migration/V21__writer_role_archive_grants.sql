-- The writer role gets SELECT/INSERT on new tables by default (V4); these two are updated by design:
-- a legal hold is lifted in place (a row trigger allows only that), and a SIEM sink's cursor advances.
grant update on legal_hold, siem_cursor to ${app_role};

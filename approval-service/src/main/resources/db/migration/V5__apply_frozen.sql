-- An approved request whose apply met an incident freeze (flag-api 423): the freeze as flag-api named it (JSON: id,
-- environment, reason, setBy, setAt), so the API and the console say why it waits. Cleared when it is applied or
-- leaves the approved state; the request stays approved and is retried (and retried at once when the freeze is lifted).
alter table change_request add column frozen_by text;

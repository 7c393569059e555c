-- The flag's own version (metadata and archive state), for If-Match on flag-wide changes; each environment keeps its own.
alter table flag add column metadata_version bigint not null default 1;

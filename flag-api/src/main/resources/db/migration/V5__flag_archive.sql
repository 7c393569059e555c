-- Archiving replaces deletion: an archived flag is no longer evaluated or listed, but its history stays.
alter table flag add column archived_at timestamptz;

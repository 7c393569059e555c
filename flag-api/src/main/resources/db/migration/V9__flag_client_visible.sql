-- Client (browser/mobile) SDK keys are public: they evaluate only flags explicitly marked client-visible.
alter table flag add column client_visible boolean not null default false;

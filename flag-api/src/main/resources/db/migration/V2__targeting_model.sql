-- Flags carry typed variations and lifecycle metadata; each environment holds its full targeting configuration.
alter table flag
    add column kind        varchar(16)  not null default 'release',
    add column flag_type   varchar(16)  not null default 'boolean',
    add column variations  text         not null default '[{"name":"on","value":true},{"name":"off","value":false}]',
    add column salt        varchar(64)  not null default md5(random()::text),
    add column owner       varchar(256),
    add column expires_at  timestamptz,
    add column tags        text         not null default '[]',
    add column risk        varchar(8)   not null default 'low';

alter table flag_environment add column config text;
update flag_environment
   set config = json_build_object('enabled', enabled, 'offVariation', 'off', 'targets', json_build_array(),
                                  'rules', json_build_array(), 'fallthrough', json_build_object('variation', 'on'))::text;
alter table flag_environment alter column config set not null;
alter table flag_environment drop column enabled;

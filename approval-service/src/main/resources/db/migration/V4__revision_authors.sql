-- Who wrote each revision of a change request (filed it or replaced its proposal): an author of any revision may not
-- decide on the request, so an approver cannot rewrite a proposal and then approve their own text.
-- author_person is the person claim (flagledger.identity.person-claim) of the author's token, so a second account
-- of the same person is recognised too; null for services and when no person claim is configured.
create table change_request_revision (
    change_request_id  uuid          not null references change_request (id),
    revision           int           not null,
    -- null only for revisions made before authorship was recorded (see below)
    author_id          varchar(256),
    author_person      varchar(256),
    author_name        varchar(256),
    -- null only for old revisions whose values were overwritten before this table existed
    base_version       bigint,
    change_sha256      char(64),
    comment            varchar(2000),
    created_at         timestamptz   not null,
    primary key (change_request_id, revision)
);

-- Revision 1 of every existing request was written by its requester (its base and hash are known only while it is
-- still the current revision).
insert into change_request_revision (change_request_id, revision, author_id, author_name, base_version, change_sha256,
                                     comment, created_at)
select id, 1, requester_id, requester_name, case when revision = 1 then base_version end,
       case when revision = 1 then change_sha256 end, null, created_at
from change_request;
-- Later revisions were not attributed. Their authors are unknown, and ChangeRequestService refuses every decision on
-- such a request (withdraw and file it again) rather than guess who may approve it.
insert into change_request_revision (change_request_id, revision, author_id, base_version, change_sha256, comment, created_at)
select c.id, r.n, null, case when r.n = c.revision then c.base_version end,
       case when r.n = c.revision then c.change_sha256 end, 'author not recorded (revised before V4)', c.updated_at
from change_request c cross join lateral generate_series(2, c.revision) as r(n)
where c.revision > 1;

-- The person behind each decision, so one person with two accounts decides once per revision.
alter table decision add column approver_person varchar(256);
create unique index decision_once_per_person on decision (change_request_id, revision, approver_person)
    where approver_person is not null;

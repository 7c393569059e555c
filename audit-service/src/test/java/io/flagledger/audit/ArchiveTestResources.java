package io.flagledger.audit;

import io.flagledger.audit.archive.S3MockResource;
import io.flagledger.audit.siem.SiemReceiversResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** The archive and SIEM receivers every audit-service test runs with: S3Mock, rsyslog and a Splunk HEC receiver. */
@WithTestResource(value = S3MockResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = SiemReceiversResource.class, scope = TestResourceScope.GLOBAL)
public final class ArchiveTestResources {
    private ArchiveTestResources() {
    }
}

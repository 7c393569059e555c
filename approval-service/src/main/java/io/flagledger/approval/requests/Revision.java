package io.flagledger.approval.requests;

import io.flagledger.approval.policy.Party;
import java.time.Instant;

/**
 * One revision of a change request and who wrote it: revision 1 by the requester, each later one by whoever
 * replaced the proposal. {@code authorId} is null only for revisions made before authors were recorded;
 * {@code baseVersion}/{@code changeSha256} are null only for such old revisions whose values were overwritten.
 */
public record Revision(int revision, String authorId, String authorPerson, String authorName, Long baseVersion,
                       String changeSha256, String comment, Instant createdAt) {

    public Party author() {
        return new Party(authorId, authorPerson);
    }
}

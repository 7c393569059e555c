package io.flagledger.audit.ledger;

/** Where in Kafka a record came from. */
public record SourcePosition(String topic, int partition, long offset) {

    /** Events audit-service signs and appends itself (legal holds) did not come through Kafka. */
    public static final SourcePosition SELF = new SourcePosition("audit-service", -1, -1);

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}

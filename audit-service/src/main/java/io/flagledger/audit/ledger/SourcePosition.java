package io.flagledger.audit.ledger;

/** Where a ledger entry came from: a Kafka record, or the service itself (no partition or offset). */
public record SourcePosition(String topic, Integer partition, Long offset) {

    /** No Kafka topic name may contain parentheses, so this one cannot be confused with a real topic. */
    public static final String LOCAL_TOPIC = "(local)";

    public static final SourcePosition LOCAL = new SourcePosition(LOCAL_TOPIC, null, null);

    @Override
    public String toString() {
        return partition == null ? topic : topic + "-" + partition + "@" + offset;
    }
}

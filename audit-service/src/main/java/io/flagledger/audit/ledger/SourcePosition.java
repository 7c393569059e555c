package io.flagledger.audit.ledger;

/** Where in Kafka a record came from. */
public record SourcePosition(String topic, int partition, long offset) {
    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}

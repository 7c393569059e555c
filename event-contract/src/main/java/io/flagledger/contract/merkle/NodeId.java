package io.flagledger.contract.merkle;

/**
 * A perfect subtree: the 2^level leaves starting at {@code index << level}. Level 0 nodes are leaves; these
 * are the only nodes that never change as the log grows, so they are what a store keeps.
 */
public record NodeId(int level, long index) {

    public NodeId {
        if (level < 0 || level > 62 || index < 0 || (index << level) >>> level != index) {
            throw new IllegalArgumentException("no such node: level " + level + ", index " + index);
        }
    }

    /** First leaf covered. */
    public long start() {
        return index << level;
    }

    /** One past the last leaf covered. */
    public long end() {
        return (index + 1) << level;
    }

    @Override
    public String toString() {
        return "(" + level + "," + index + ")";
    }
}

package io.flagledger.contract.merkle;

import java.util.Collection;
import java.util.Map;

/** Where proof generation reads perfect subtree hashes from: a database, a memory tree, an export bundle. */
@FunctionalInterface
public interface NodeSource {

    /**
     * Hashes of the given nodes, all fetched at once (a store answers with one query).
     *
     * @throws IllegalStateException if a node is not there (the tree is smaller, or the store is damaged)
     */
    Map<NodeId, byte[]> nodes(Collection<NodeId> ids);
}

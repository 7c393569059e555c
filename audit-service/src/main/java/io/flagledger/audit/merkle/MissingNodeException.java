package io.flagledger.audit.merkle;

import io.flagledger.contract.merkle.NodeId;

/** A tree node that should be stored is not: the ledger is smaller than asked, or the store is damaged. */
public class MissingNodeException extends IllegalStateException {

    public MissingNodeException(NodeId id) {
        super("Merkle node " + id + " is not stored");
    }
}

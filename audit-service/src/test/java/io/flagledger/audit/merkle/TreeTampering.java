package io.flagledger.audit.merkle;

import io.flagledger.contract.merkle.NodeId;

/**
 * SQL that edits stored tree nodes in place (see {@link MerkleStore} for where they live), for the tests of what
 * must notice it. Run it with ledger_entry's append-only trigger disabled, in a transaction that is rolled back.
 */
public final class TreeTampering {

    /** Replaces every stored node of level 1 and up with its SHA-256. */
    public static final String EDIT_ALL_NODES = "update ledger_entry set nodes = (select string_agg(sha256(substring("
            + "nodes from g * 32 + 1 for 32)), ''::bytea order by g) from generate_series(0, octet_length(nodes) / 32 - 1) g) "
            + "where nodes is not null";

    private TreeTampering() {
    }

    /** Replaces the hash of node {@code id} (level 1 and up) with its SHA-256. */
    public static String editNode(NodeId id) {
        int from = (id.level() - 1) * 32 + 1;
        return "update ledger_entry set nodes = overlay(nodes placing sha256(substring(nodes from " + from + " for 32)) from "
                + from + " for 32) where seq = " + ((id.index() + 1) << id.level());
    }
}

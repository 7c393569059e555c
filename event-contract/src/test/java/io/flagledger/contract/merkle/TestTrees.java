package io.flagledger.contract.merkle;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Test trees and a reference MTH written exactly as RFC 6962 §2.1 defines it (recursive, no tricks). */
final class TestTrees {

    /** The leaves of the RFC 6962 reference test tree (certificate-transparency and transparency-dev tests). */
    static final List<String> RFC_LEAVES = List.of("", "00", "10", "2021", "3031", "40414243",
            "5051525354555657", "606162636465666768696a6b6c6d6e6f");

    private TestTrees() {
    }

    static List<byte[]> rfcLeafHashes() {
        return RFC_LEAVES.stream().map(h -> MerkleHash.leaf(HexFormat.of().parseHex(h))).toList();
    }

    static List<byte[]> leafHashes(int n) {
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(MerkleHash.leaf(("leaf " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return out;
    }

    /** MTH(D[n]) by the book. */
    static byte[] referenceRoot(List<byte[]> leafHashes) {
        int n = leafHashes.size();
        if (n == 0) {
            return MerkleHash.emptyRoot();
        }
        if (n == 1) {
            return leafHashes.get(0);
        }
        int k = Integer.highestOneBit(n - 1);
        return MerkleHash.node(referenceRoot(leafHashes.subList(0, k)), referenceRoot(leafHashes.subList(k, n)));
    }
}

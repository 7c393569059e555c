package io.flagledger.contract.merkle;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/** Every inclusion and consistency vector of transparency-dev/merkle: the good ones verify, every mutation fails. */
class Rfc6962VectorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> inclusionVectors() throws Exception {
        return vectors("inclusion").map(file -> DynamicTest.dynamicTest(name(file), () -> {
            JsonNode v = JSON.readTree(file.toFile());
            Executable verify = () -> ProofVerifier.verifyInclusion(v.get("leafIdx").asLong(), v.get("treeSize").asLong(),
                    b64(v.get("leafHash")), proof(v), b64(v.get("root")));
            check(v, verify);
        }));
    }

    @TestFactory
    Stream<DynamicTest> consistencyVectors() throws Exception {
        return vectors("consistency").map(file -> DynamicTest.dynamicTest(name(file), () -> {
            JsonNode v = JSON.readTree(file.toFile());
            Executable verify = () -> ProofVerifier.verifyConsistency(v.get("size1").asLong(), v.get("size2").asLong(),
                    b64(v.get("root1")), b64(v.get("root2")), proof(v));
            check(v, verify);
        }));
    }

    /** The happy paths come from the RFC 6962 test tree; generating them ourselves must give the same hashes. */
    @Test
    void generatedProofsEqualTheHappyPathVectors() throws Exception {
        MemoryTree tree = MemoryTree.of(TestTrees.rfcLeafHashes());
        int compared = 0;
        for (Path file : vectors("inclusion").filter(f -> f.endsWith("happy-path.json")).toList()) {
            JsonNode v = JSON.readTree(file.toFile());
            long size = v.get("treeSize").asLong();
            assertEquals(hex(b64(v.get("root"))), hex(tree.root(size)), name(file));
            assertEquals(hexes(proof(v)), hexes(tree.inclusionProof(v.get("leafIdx").asLong(), size)), name(file));
            compared++;
        }
        for (Path file : vectors("consistency").filter(f -> f.endsWith("happy-path.json")).toList()) {
            JsonNode v = JSON.readTree(file.toFile());
            assertEquals(hexes(proof(v)), hexes(tree.consistencyProof(v.get("size1").asLong(), v.get("size2").asLong())),
                    name(file));
            compared++;
        }
        assertEquals(10, compared);
    }

    private static void check(JsonNode v, Executable verify) {
        if (v.get("wantErr").asBoolean()) {
            ProofVerificationException e = assertThrows(ProofVerificationException.class, verify, v.get("desc").asText());
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        } else {
            assertDoesNotThrow(verify, v.get("desc").asText());
        }
    }

    static Stream<Path> vectors(String folder) throws IOException, URISyntaxException {
        Path root = Path.of(Rfc6962VectorsTest.class.getResource("/rfc6962/" + folder).toURI());
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.toString().endsWith(".json")).sorted().forEach(files::add);
        }
        assertTrue(files.size() > 10, "vectors missing under " + root);
        return files.stream();
    }

    private static String name(Path file) {
        return file.getParent().getParent().getFileName() + "/" + file.getParent().getFileName() + "/" + file.getFileName();
    }

    private static List<byte[]> proof(JsonNode v) {
        List<byte[]> proof = new ArrayList<>();
        JsonNode p = v.get("proof");
        if (p != null && !p.isNull()) {
            p.forEach(h -> proof.add(b64(h)));
        }
        return proof;
    }

    private static byte[] b64(JsonNode n) {
        return n == null || n.isNull() ? null : Base64.getDecoder().decode(n.asText());
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    private static List<String> hexes(List<byte[]> hashes) {
        return hashes.stream().map(Rfc6962VectorsTest::hex).toList();
    }
}

package io.flagledger.contract.merkle;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A C2SP tlog-checkpoint body: origin line, decimal tree size, base64 root hash, optional extension lines,
 * each ending in a newline. It is the text of a signed note; sign it with {@code io.flagledger.contract.note}.
 */
public record Checkpoint(String origin, long size, byte[] rootHash, List<String> extensions) {

    public Checkpoint {
        Objects.requireNonNull(origin, "origin");
        if (origin.isEmpty() || !printable(origin)) {
            throw new IllegalArgumentException("checkpoint origin must be a non-empty line of printable text");
        }
        if (size < 0) {
            throw new IllegalArgumentException("tree size must not be negative: " + size);
        }
        if (rootHash == null || rootHash.length != MerkleHash.SIZE) {
            throw new IllegalArgumentException("root hash must be " + MerkleHash.SIZE + " bytes");
        }
        rootHash = rootHash.clone();
        extensions = List.copyOf(extensions == null ? List.of() : extensions);
        for (String line : extensions) {
            if (line.isEmpty() || !printable(line)) {
                throw new IllegalArgumentException("checkpoint extension lines must be non-empty printable text");
            }
        }
    }

    public Checkpoint(String origin, long size, byte[] rootHash) {
        this(origin, size, rootHash, List.of());
    }

    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    public String rootBase64() {
        return Base64.getEncoder().encodeToString(rootHash);
    }

    /** The note text, trailing newline included. */
    public String body() {
        StringBuilder b = new StringBuilder().append(origin).append('\n').append(size).append('\n')
                .append(rootBase64()).append('\n');
        extensions.forEach(line -> b.append(line).append('\n'));
        return b.toString();
    }

    /** Parses a checkpoint body (the text of a verified note). Strict: one spelling per checkpoint. */
    public static Checkpoint parse(String body) {
        if (body == null || !body.endsWith("\n")) {
            throw new IllegalArgumentException("checkpoint must end with a newline");
        }
        String[] lines = body.substring(0, body.length() - 1).split("\n", -1);
        if (lines.length < 3) {
            throw new IllegalArgumentException("checkpoint needs origin, size and root hash lines, has " + lines.length);
        }
        if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
            throw new IllegalArgumentException("checkpoint tree size '" + lines[1] + "' is not a decimal without leading zeros");
        }
        long size;
        try {
            size = Long.parseLong(lines[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint tree size '" + lines[1] + "' is too large", e);
        }
        byte[] root;
        try {
            root = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("checkpoint root hash is not base64: " + e.getMessage(), e);
        }
        if (root.length != MerkleHash.SIZE || !Base64.getEncoder().encodeToString(root).equals(lines[2])) {
            throw new IllegalArgumentException("checkpoint root hash must be the standard base64 of 32 bytes");
        }
        return new Checkpoint(lines[0], size, root, List.of(lines).subList(3, lines.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && c.body().equals(body());
    }

    @Override
    public int hashCode() {
        return body().hashCode();
    }

    @Override
    public String toString() {
        return body().replace("\n", "\\n");
    }

    private static boolean printable(String line) {
        return line.codePoints().noneMatch(Character::isISOControl)
                && StandardCharsets.UTF_8.newEncoder().canEncode(line);
    }
}

package io.flagledger.verifier;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The files of a bundle, each decompressed once: small ones are read whole, the two large ones streamed while they
 * are checked; either way the SHA-256 the manifest lists is taken on that one pass. Not thread-safe.
 */
final class BundleFiles {

    /** A file's SHA-256 (hex) and size. */
    record Digest(String sha256, long bytes) {
    }

    private final ZipFile zip;
    private final Map<String, ZipEntry> entries;
    private final Map<String, Digest> digests = new HashMap<>();

    BundleFiles(ZipFile zip, Map<String, ZipEntry> entries) {
        this.zip = zip;
        this.entries = entries;
    }

    boolean has(String name) {
        return entries.containsKey(name);
    }

    Set<String> names() {
        return entries.keySet();
    }

    /** The whole file, or null (reported) if the bundle lacks it. */
    byte[] read(String name, Missing missing) throws IOException {
        ZipEntry e = entries.get(name);
        if (e == null) {
            missing.missing(name);
            return null;
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(e)) {
            bytes = in.readAllBytes();
        }
        digests.put(name, new Digest(HexFormat.of().formatHex(sha256().digest(bytes)), bytes.length));
        return bytes;
    }

    /** The file as a stream; read to its end, its digest is recorded. */
    InputStream stream(String name) throws IOException {
        MessageDigest digest = sha256();
        return new FilterInputStream(zip.getInputStream(entries.get(name))) {
            private long bytes;

            @Override
            public int read() throws IOException {
                throw new UnsupportedOperationException("read in blocks");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    digest.update(b, off, n);
                    bytes += n;
                } else if (n < 0 && !digests.containsKey(name)) {
                    digests.put(name, new Digest(HexFormat.of().formatHex(digest.digest()), bytes));
                }
                return n;
            }
        };
    }

    /** The digest of a file present in the bundle, from the pass that read it or, if none did, from one now. */
    Digest digest(String name) throws IOException {
        Digest d = digests.get(name);
        if (d == null) {
            try (InputStream in = stream(name)) {
                byte[] buf = new byte[1 << 16];
                while (in.read(buf, 0, buf.length) >= 0) {
                    // hashing as it goes
                }
            }
            d = digests.get(name);
        }
        return d;
    }

    /** Told of a file the bundle lacks. */
    interface Missing {
        void missing(String name);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.flagledger.audit.export;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes the bundle's zip entries one after another, recording each file's SHA-256 and size for the manifest. */
final class BundleWriter implements AutoCloseable {

    /** A file as listed in the manifest. */
    record FileDigest(String sha256, long bytes) {
    }

    private final ZipOutputStream zip;
    private final Map<String, FileDigest> digests = new LinkedHashMap<>();

    BundleWriter(Path target) throws IOException {
        this.zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(target), 1 << 16));
    }

    /** Opens an entry; write to the returned stream, then close it (which closes only the entry). */
    OutputStream entry(String name) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        MessageDigest digest = sha256();
        return new FilterOutputStream(zip) {
            private long bytes;

            @Override
            public void write(int b) throws IOException {
                zip.write(b);
                digest.update((byte) b);
                bytes++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                zip.write(b, off, len);
                digest.update(b, off, len);
                bytes += len;
            }

            @Override
            public void close() throws IOException {
                zip.closeEntry();
                digests.put(name, new FileDigest(HexFormat.of().formatHex(digest.digest()), bytes));
            }
        };
    }

    String write(String name, String content) throws IOException {
        try (OutputStream out = entry(name)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return digests.get(name).sha256();
    }

    Map<String, FileDigest> digests() {
        return Map.copyOf(digests);
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

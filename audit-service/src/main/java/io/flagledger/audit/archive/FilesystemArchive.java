package io.flagledger.audit.archive;

import io.flagledger.contract.Hashing;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.UUID;

/**
 * Write-once files: each object is written to a temporary file, forced to disk, then hard-linked to its final
 * name (a link never replaces an existing file, unlike a rename) and made read-only. WORM here is as strong as
 * the file system's permissions; S3 Object Lock is the tamper-proof tier.
 */
public class FilesystemArchive implements ArchiveStore {

    private final Path root;

    public FilesystemArchive(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String name() {
        return "filesystem";
    }

    @Override
    public void putOnce(String key, byte[] content, Instant retainUntil) {
        Path target = resolve(key);
        try {
            Files.createDirectories(target.getParent());
            if (Files.exists(target)) {
                requireSame(key, target, content);
                return;
            }
            Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".partial");
            try {
                try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    out.write(content);
                }
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("r--r-----"));
                Files.createLink(target, temp);
            } catch (FileAlreadyExistsException e) {
                requireSame(key, target, content); // another replica won the race
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write archive object " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] read(String key) {
        try {
            return Files.readAllBytes(resolve(key));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read archive object " + key + ": " + e.getMessage(), e);
        }
    }

    private Path resolve(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root) || key.contains("..")) {
            throw new IllegalArgumentException("archive key escapes the archive: " + key);
        }
        return p;
    }

    private static void requireSame(String key, Path existing, byte[] content) throws IOException {
        if (!MessageDigest.isEqual(Hashing.sha256(Files.readAllBytes(existing)), Hashing.sha256(content))) {
            throw new ArchiveConflictException("archive object " + key + " already exists with different content");
        }
    }
}

package io.flagledger.audit.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemArchiveTest {

    @TempDir
    Path root;

    @Test
    void objectsAreWrittenOnceAndReadOnly() throws Exception {
        FilesystemArchive archive = new FilesystemArchive(root);
        byte[] content = "segment".getBytes(StandardCharsets.UTF_8);
        archive.putOnce("segments/a.jsonl.gz", content, Instant.now());
        Path file = root.resolve("segments/a.jsonl.gz");
        assertThat(Files.getPosixFilePermissions(file)).noneMatch(p -> p == PosixFilePermission.OWNER_WRITE
                || p == PosixFilePermission.GROUP_WRITE || p == PosixFilePermission.OTHERS_WRITE);
        assertThat(archive.read("segments/a.jsonl.gz")).isEqualTo(content);

        archive.putOnce("segments/a.jsonl.gz", content, Instant.now()); // a retried seal of the same bytes
        assertThatThrownBy(() -> archive.putOnce("segments/a.jsonl.gz", "other".getBytes(StandardCharsets.UTF_8), Instant.now()))
                .isInstanceOf(ArchiveConflictException.class);
        assertThat(Files.readAllBytes(file)).isEqualTo(content);
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file); // no temporary file left behind
        }
        assertThatThrownBy(() -> archive.putOnce("../escape", content, Instant.now())).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.flagledger.audit.archive;

import io.flagledger.contract.Hashing;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRetentionRequest;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.PutObjectRetentionRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Objects in a bucket with Object Lock: each put carries the lock mode and retain-until date, so the bucket's
 * own default retention is not relied upon, plus a SHA-256 checksum S3 verifies on receipt. {@code If-None-Match: *}
 * makes the put conditional where the store supports it; a HEAD before it covers stores that do not. The lock is
 * then read back (GetObjectRetention) and, where a store ignored the put's lock headers, applied with
 * PutObjectRetention; a bucket without Object Lock fails here, so its objects are never trusted for purging.
 */
public class S3Archive implements ArchiveStore {

    private final S3Client client;
    private final String bucket;
    private final ObjectLockMode lockMode;

    public S3Archive(S3Client client, String bucket, String lockMode) {
        this.client = client;
        this.bucket = bucket;
        this.lockMode = ObjectLockMode.fromValue(lockMode);
        if (this.lockMode == ObjectLockMode.UNKNOWN_TO_SDK_VERSION) {
            throw new IllegalArgumentException("flagledger.archive.object-lock-mode must be COMPLIANCE or GOVERNANCE, not " + lockMode);
        }
    }

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public void putOnce(String key, byte[] content, Instant retainUntil) {
        if (exists(key)) {
            requireSame(key, content);
            ensureLocked(key, retainUntil);
            return;
        }
        PutObjectRequest put = PutObjectRequest.builder().bucket(bucket).key(key)
                .ifNoneMatch("*")
                .objectLockMode(lockMode).objectLockRetainUntilDate(retainUntil)
                .checksumAlgorithm(ChecksumAlgorithm.SHA256)
                .checksumSHA256(Base64.getEncoder().encodeToString(Hashing.sha256(content)))
                .contentType(key.endsWith(".gz") ? "application/gzip" : "application/json")
                .build();
        try {
            client.putObject(put, RequestBody.fromBytes(content));
        } catch (S3Exception e) {
            if (e.statusCode() != 412 && e.statusCode() != 409) {
                throw e;
            }
            requireSame(key, content); // written concurrently by another replica
        }
        ensureLocked(key, retainUntil);
    }

    /** A lock at least this close to the wanted date counts (a retried seal must not extend it by seconds each time). */
    private static final Duration LOCK_TOLERANCE = Duration.ofDays(1);

    private void ensureLocked(String key, Instant retainUntil) {
        if (locked(key, retainUntil)) {
            return;
        }
        client.putObjectRetention(PutObjectRetentionRequest.builder().bucket(bucket).key(key)
                .retention(ObjectLockRetention.builder().mode(lockMode.toString()).retainUntilDate(retainUntil).build()).build());
        if (!locked(key, retainUntil)) {
            throw new IllegalStateException("s3://" + bucket + "/" + key + " is not locked in " + lockMode
                    + " mode: does the bucket have Object Lock enabled?");
        }
    }

    private boolean locked(String key, Instant retainUntil) {
        try {
            ObjectLockRetention r = client.getObjectRetention(GetObjectRetentionRequest.builder().bucket(bucket).key(key).build())
                    .retention();
            return r != null && lockMode.toString().equals(r.modeAsString()) && r.retainUntilDate() != null
                    && !r.retainUntilDate().isBefore(retainUntil.minus(LOCK_TOLERANCE));
        } catch (S3Exception e) {
            if (e.statusCode() == 404 || e.statusCode() == 400) {
                return false; // no lock configuration on the object
            }
            throw e;
        }
    }

    @Override
    public byte[] read(String key) {
        return client.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build()).asByteArray();
    }

    private boolean exists(String key) {
        try {
            client.headObject(HeadObjectRequest.builder().bucket(bucket).key(key).build());
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private void requireSame(String key, byte[] content) {
        if (!MessageDigest.isEqual(Hashing.sha256(read(key)), Hashing.sha256(content))) {
            throw new ArchiveConflictException("archive object s3://" + bucket + "/" + key + " already exists with different content");
        }
    }
}

package io.flagledger.audit.archive;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** S3 when a bucket is configured, otherwise the local directory. */
public class ArchiveStoreProducer {

    @Produces
    @Singleton
    ArchiveStore store(ArchiveConfig config) {
        ArchiveConfig.S3 s3 = config.s3();
        if (s3.bucket().filter(b -> !b.isBlank()).isEmpty()) {
            return new FilesystemArchive(Path.of(config.filesystem().path()));
        }
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(s3.region()))
                .forcePathStyle(s3.pathStyle());
        s3.endpoint().filter(e -> !e.isBlank()).ifPresent(e -> builder.endpointOverride(URI.create(e)));
        if (s3.accessKeyId().filter(k -> !k.isBlank()).isPresent()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    s3.accessKeyId().get(), s3.secretAccessKey().orElseThrow(() -> new IllegalStateException(
                            "flagledger.archive.s3.secret-access-key is required with an access key id")))));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return new S3Archive(builder.build(), s3.bucket().get(), config.objectLockMode());
    }
}

package io.flagledger.cli.http;

import io.flagledger.cli.Options;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;

/** The three services' clients for one command, at the URLs it was given, signed in through {@link Credentials}. */
@ApplicationScoped
public class Services {

    @Inject
    Credentials credentials;

    public FlagApi flagApi(Options options) {
        return client(options, options.flagApi, FlagApi.class);
    }

    public ApprovalApi approvals(Options options) {
        return client(options, options.approvalService, ApprovalApi.class);
    }

    public AuditApi audit(Options options) {
        return client(options, options.auditService, AuditApi.class);
    }

    private <T> T client(Options options, String url, Class<T> type) {
        credentials.deviceLogin(options.deviceLogin);
        return QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(url)).register(credentials.filter()).build(type);
    }
}

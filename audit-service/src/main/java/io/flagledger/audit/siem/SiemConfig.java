package io.flagledger.audit.siem;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** SIEM sinks. Each forwards every ledger entry at least once, from its own persisted cursor. */
@ConfigMapping(prefix = "flagledger.siem")
public interface SiemConfig {

    /** How often each sink is polled for new ledger entries. */
    @WithDefault("2s")
    Duration pollInterval();

    /** Entries read and sent per round. */
    @WithDefault("200")
    int batchSize();

    /** First retry delay after a failure; doubles per consecutive failure up to {@link #maxBackoff()}. */
    @WithDefault("1s")
    Duration initialBackoff();

    @WithDefault("5m")
    Duration maxBackoff();

    /** Process name and host name put in syslog headers and HEC events. */
    @WithDefault("flagledger-audit")
    String appName();

    Optional<String> hostname();

    Syslog syslog();

    Splunk splunk();

    interface Syslog {
        @WithDefault("false")
        boolean enabled();

        @WithDefault("127.0.0.1")
        String host();

        @WithDefault("6514")
        int port();

        /** RFC 5425 TLS; the server certificate is checked against {@code truststore} or the JVM's default CAs. */
        @WithDefault("false")
        boolean tls();

        /** PKCS#12 trust store for the syslog server's certificate (TLS only). */
        Optional<String> truststore();

        Optional<String> truststorePassword();

        /** MSG body: {@code event} (the signed event), {@code ecs} or {@code ocsf}. */
        @WithDefault("ocsf")
        String format();

        /** RFC 5424 structured-data id; 32473 is the private enterprise number reserved for documentation. */
        @WithDefault("flagledger@32473")
        String sdId();

        @WithDefault("10s")
        Duration timeout();
    }

    interface Splunk {
        @WithDefault("false")
        boolean enabled();

        /** Base URL of the HTTP Event Collector, e.g. {@code https://splunk.example:8088}. */
        Optional<String> hecUrl();

        /** The HEC token (a secret: from a Secret, never in the image). */
        Optional<String> hecToken();

        /** {@code event} field content: {@code event}, {@code ecs} or {@code ocsf}. */
        @WithDefault("ecs")
        String format();

        @WithDefault("flagledger:audit")
        String sourcetype();

        Optional<String> index();

        @WithDefault("10s")
        Duration timeout();
    }
}

package io.flagledger.flagapi.approval;

import io.flagledger.contract.Ed25519Keys;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * approval-service's public keys, as {@code keyId:base64} entries. Several may be listed so its signing key can be
 * rotated without refusing tokens issued just before the switch.
 */
@ApplicationScoped
public class ApprovalKeys {

    private final Map<String, PublicKey> keys;

    public ApprovalKeys(@ConfigProperty(name = "flagledger.approval.public-keys") Optional<List<String>> entries) {
        Map<String, PublicKey> parsed = new HashMap<>();
        for (String entry : entries.orElse(List.of())) {
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("flagledger.approval.public-keys entries must be keyId:base64");
            }
            parsed.put(entry.substring(0, colon).trim(), Ed25519Keys.decodePublic(entry.substring(colon + 1).trim()));
        }
        this.keys = Map.copyOf(parsed);
    }

    public Map<String, PublicKey> trusted() {
        return keys;
    }
}

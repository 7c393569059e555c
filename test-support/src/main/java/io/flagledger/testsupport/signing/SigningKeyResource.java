package io.flagledger.testsupport.signing;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventSigner;
import io.flagledger.testsupport.internal.JvmShared;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.security.KeyPair;
import java.util.Map;

/**
 * A fresh Ed25519 key per test run, so no signing key is ever committed. The service under test
 * signs with it ({@code flagledger.signing.*}) and, for audit-service, trusts it for the service named
 * by the init arg {@code service} (default flag-api).
 */
public class SigningKeyResource implements QuarkusTestResourceLifecycleManager {

    public static final String KEY_ID = "test-signing-key";
    /** approval-service's token key: a separate key, as in production, so a service key cannot forge approvals. */
    public static final String APPROVAL_KEY_ID = "test-approval-key";

    private String service = "flag-api";

    @Override
    public void init(Map<String, String> initArgs) {
        service = initArgs.getOrDefault("service", service);
    }

    @Override
    public Map<String, String> start() {
        KeyPair pair = keyPair();
        KeyPair approval = approvalKeyPair();
        String trusted = "flagledger.audit.trusted-keys.\"" + KEY_ID + "\".";
        return Map.of(
                "flagledger.signing.key-id", KEY_ID,
                "flagledger.signing.private-key", Ed25519Keys.encodePrivate(pair.getPrivate()),
                trusted + "service", service,
                trusted + "public-key", Ed25519Keys.encodePublic(pair.getPublic()),
                "flagledger.approval-token.key-id", APPROVAL_KEY_ID,
                "flagledger.approval-token.private-key", Ed25519Keys.encodePrivate(approval.getPrivate()),
                "flagledger.approval.public-keys", APPROVAL_KEY_ID + ":" + Ed25519Keys.encodePublic(approval.getPublic()));
    }

    @Override
    public void stop() {
        // nothing to release: the key only ever lived in memory
    }

    /** One key per JVM, kept where every class loader of a Quarkus test run sees the same one. */
    public static KeyPair keyPair() {
        return shared("signing");
    }

    public static KeyPair approvalKeyPair() {
        return shared("approval");
    }

    /** A signer for approval tokens, as approval-service holds it. */
    public static EventSigner approvalSigner() {
        return new EventSigner(APPROVAL_KEY_ID, approvalKeyPair().getPrivate());
    }

    private static KeyPair shared(String name) {
        synchronized (JvmShared.LOCK) {
            if (JvmShared.get(name + ".private") == null) {
                KeyPair fresh = Ed25519Keys.generate();
                JvmShared.put(name + ".private", Ed25519Keys.encodePrivate(fresh.getPrivate()));
                JvmShared.put(name + ".public", Ed25519Keys.encodePublic(fresh.getPublic()));
            }
            return new KeyPair(Ed25519Keys.decodePublic(JvmShared.get(name + ".public")),
                    Ed25519Keys.decodePrivate(JvmShared.get(name + ".private")));
        }
    }

    /** A signer holding the same key the service under test uses. */
    public static EventSigner signer() {
        return new EventSigner(KEY_ID, keyPair().getPrivate());
    }
}

package io.flagledger.common.actor;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonValue;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

/** Which person a token names through the configured claim. */
class PersonClaimTest {

    private static JsonWebToken token(Map<String, Object> claims) {
        return new JsonWebToken() {
            @Override
            public String getName() {
                return (String) claims.get("sub");
            }

            @Override
            public Set<String> getClaimNames() {
                return claims.keySet();
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T getClaim(String name) {
                return (T) claims.get(name);
            }
        };
    }

    private static Map<String, Object> claims(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void aVerifiedEmailNamesThePersonCaseInsensitively() {
        assertThat(CurrentActor.person(token(claims("email", "Ann@Example.com", "email_verified", true)), "email"))
                .isEqualTo("ann@example.com");
        // as SmallRye JWT may hand it over: a JSON true
        assertThat(CurrentActor.person(token(claims("email", "ann@example.com", "email_verified", JsonValue.TRUE)), "email"))
                .isEqualTo("ann@example.com");
    }

    @Test
    void anUnverifiedOrMissingEmailNamesNobody() {
        assertThat(CurrentActor.person(token(claims("email", "ann@example.com", "email_verified", false)), "email")).isNull();
        assertThat(CurrentActor.person(token(claims("email", "ann@example.com")), "email")).isNull();
        assertThat(CurrentActor.person(token(claims("email_verified", true)), "email")).isNull();
    }

    @Test
    void anyOtherClaimIsTakenAsItIs() {
        assertThat(CurrentActor.person(token(claims("employee_id", "E-1042")), "employee_id")).isEqualTo("E-1042");
        assertThat(CurrentActor.person(token(claims("employee_id", 1042)), "employee_id")).isEqualTo("1042");
        assertThat(CurrentActor.person(token(claims("employee_id", " ")), "employee_id")).isNull();
    }

    @Test
    void noClaimConfiguredMeansNoPerson() {
        assertThat(CurrentActor.person(token(claims("email", "ann@example.com", "email_verified", true)), null)).isNull();
    }

    @Test
    void accountsOfOnePersonAreTheSame() {
        Actor work = new Actor("sub-1", io.flagledger.contract.ActorType.USER, "Ann", null, java.util.List.of(), "ann@example.com");
        assertThat(work.isSameAs("sub-1", null)).isTrue();
        assertThat(work.isSameAs("sub-2", "ann@example.com")).isTrue();
        assertThat(work.isSameAs("sub-2", "bob@example.com")).isFalse();
        assertThat(new Actor("sub-1", io.flagledger.contract.ActorType.USER, "Ann", null, java.util.List.of()).isSameAs("sub-2", null))
                .isFalse();
    }
}

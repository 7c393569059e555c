package io.flagledger.common.actor;

import io.flagledger.contract.ActorType;
import java.util.List;

/** Who is acting, as the identity provider says: the canonical subject plus what a human reader needs. */
public record Actor(String id, ActorType type, String name, String email, List<String> roles) {

    public boolean isService() {
        return type == ActorType.SERVICE;
    }
}

package io.flagledger.flagapi.environments;

import io.smallrye.config.ConfigMapping;
import java.util.List;
import java.util.Set;

/** The environments every flag has, and which of them are protected (reason and correlation id required). */
@ConfigMapping(prefix = "flagledger.environments")
public interface EnvironmentsConfig {

    List<String> names();

    Set<String> protectedNames();

    default boolean isProtected(String environment) {
        return protectedNames().contains(environment);
    }
}

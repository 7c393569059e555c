package io.flagledger.flagapi.environments;

import io.smallrye.config.ConfigMapping;
import java.util.List;

/**
 * The environments every flag has. Which of them are protected is not said here but in
 * {@code flagledger.protection.*} ({@link io.flagledger.common.protection.Protection}), the definition every
 * service shares.
 */
@ConfigMapping(prefix = "flagledger.environments")
public interface EnvironmentsConfig {

    List<String> names();
}

package io.flagledger.flagapi.edge;

import io.flagledger.flagapi.flags.FlagRequests;
import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.Pattern;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Path parameters are keys: checked before any database access (a 400 naming the parameter), so neither a query nor
 * an event ever sees a control character, a lone surrogate or an over-long value from the path.
 */
public final class PathParams {

    private PathParams() {
    }

    /** A project, flag or segment key. */
    @Pattern(regexp = FlagRequests.KEY_PATTERN)
    @ReportAsSingleViolation
    @Constraint(validatedBy = {})
    @Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.TYPE_USE})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface Key {
        String message() default "must match " + FlagRequests.KEY_PATTERN;

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** An environment name. */
    @Pattern(regexp = FlagRequests.ENV_PATTERN)
    @ReportAsSingleViolation
    @Constraint(validatedBy = {})
    @Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.TYPE_USE})
    @Retention(RetentionPolicy.RUNTIME)
    public @interface Environment {
        String message() default "must match " + FlagRequests.ENV_PATTERN;

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }
}

package io.flagledger.flagapi.edge;

import io.flagledger.common.text.EventText;
import io.flagledger.contract.EventValidator;
import io.flagledger.flagapi.flags.FlagRequests;
import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The {@code X-Correlation-Id} header obeys the same rule as the body's {@code correlationId}
 * ({@link FlagRequests#CORRELATION_PATTERN}: printable ASCII without spaces, at most
 * {@link EventValidator#MAX_ID_LENGTH}). HTTP lets a header carry what the body field refuses (an obs-folded
 * {@code a b}, Latin-1 bytes); each such value is a 400 naming the header, before anything is written.
 * {@link EventText.Line} stays as defence in depth. Put it on every {@code @HeaderParam("X-Correlation-Id")}.
 */
@Size(max = EventValidator.MAX_ID_LENGTH, message = "X-Correlation-Id must be at most " + EventValidator.MAX_ID_LENGTH + " characters")
@EventText.Line
@Pattern(regexp = FlagRequests.CORRELATION_PATTERN, message = "X-Correlation-Id must be printable ASCII without spaces")
@Constraint(validatedBy = {})
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface CorrelationHeader {
    String message() default "X-Correlation-Id must be printable ASCII without spaces, at most " + EventValidator.MAX_ID_LENGTH + " characters";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}

package io.flagledger.approval.requests;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value can be carried by an event (see {@link EdgeInput}): bean validation's way into the same checks, so a
 * refusal is the usual 400 problem+json with the field in {@code errors}.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = Carriable.Validator.class)
public @interface Carriable {

    enum Kind { TEXT, LINE, JSON }

    Kind value();

    /** Longest string (TEXT, LINE) when no {@code @Size} says it; JSON uses {@link EdgeInput#MAX_CONFIG_BYTES}. */
    int max() default Integer.MAX_VALUE;

    String message() default "cannot be carried by an event";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<Carriable, Object> {

        private Kind kind;
        private int max;

        @Override
        public void initialize(Carriable annotation) {
            kind = annotation.value();
            max = annotation.max();
        }

        @Override
        public boolean isValid(Object value, ConstraintValidatorContext context) {
            String violation = switch (kind) {
                case TEXT -> value instanceof String s ? EdgeInput.text(s, max) : null;
                case LINE -> value instanceof String s ? EdgeInput.line(s, max) : null;
                case JSON -> value instanceof JsonNode n ? EdgeInput.json("$", n) : null;
            };
            if (violation == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            // the message quotes member names a client chose: no message parameter or expression ({, }, \\ replaced)
            context.buildConstraintViolationWithTemplate(violation.replaceAll("[{}\\\\]", "?")).addConstraintViolation();
            return false;
        }
    }
}

package io.flagledger.common.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.contract.SafeText;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;

/**
 * Request values that end up in a signed event, checked at the edge with {@link SafeText}'s rule (the one the event
 * contract enforces), so a request an event could not carry is a 400 naming the field before anything is written.
 * Bean Validation constraints for request records ({@link Line}, {@link Free}, {@link Json}), and
 * {@link #escape(String, int)} for values a service records but did not choose.
 */
public final class EventText {

    /** JSON violations reported per value at most. */
    private static final int MAX_JSON_MESSAGES = 5;
    /** A correlation id the contract carries as is, in a header or a body: printable ASCII, no spaces. */
    public static final String CORRELATION_ID = "^[\\x21-\\x7e]+$";

    private EventText() {
    }

    /** A single-line value (key, name, id, header): no control character at all, no lone surrogate. */
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE_USE, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = LineValidator.class)
    public @interface Line {
        String message() default "must not contain control characters or lone surrogates";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** Free text (reason, description): TAB, LF and CR allowed, no other control character, no lone surrogate. */
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE_USE, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = FreeValidator.class)
    public @interface Free {
        String message() default "must not contain control characters other than TAB, LF and CR, or lone surrogates";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** A JSON value: its strings and member names as free text, finite numbers, nesting within the contract's depth. */
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE_USE, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = JsonValidator.class)
    public @interface Json {
        String message() default "must be JSON an event can carry";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    public static final class LineValidator implements ConstraintValidator<Line, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return report(context, SafeText.lineViolation(value));
        }
    }

    public static final class FreeValidator implements ConstraintValidator<Free, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return report(context, SafeText.violation(value));
        }
    }

    public static final class JsonValidator implements ConstraintValidator<Json, JsonNode> {
        @Override
        public boolean isValid(JsonNode value, ConstraintValidatorContext context) {
            List<String> out = new ArrayList<>();
            SafeText.jsonViolations("", value, out, MAX_JSON_MESSAGES);
            if (out.isEmpty()) {
                return true;
            }
            // "[2].values[0]: contains ..." / ".rules[0]: ..." / ": nested deeper ..." -> "at rules[0]: ..."
            List<String> located = out.stream()
                    .map(m -> m.startsWith(": ") ? m.substring(2) : "at " + (m.startsWith(".") ? m.substring(1) : m))
                    .toList();
            return report(context, String.join("; ", located));
        }
    }

    /**
     * {@link SafeText#escape(String)} of {@code raw}, cut to at most {@code max} characters without splitting an
     * escape or a surrogate pair: bounded and always acceptable, for what a service records but did not choose.
     */
    public static String escape(String raw, int max) {
        if (raw == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(raw.length(), max));
        for (int i = 0; i < raw.length(); ) {
            int end = Character.isHighSurrogate(raw.charAt(i)) && i + 1 < raw.length()
                    && Character.isLowSurrogate(raw.charAt(i + 1)) ? i + 2 : i + 1;
            String piece = SafeText.escape(raw.substring(i, end));
            if (out.length() + piece.length() > max) {
                break;
            }
            out.append(piece);
            i = end;
        }
        return out.toString();
    }

    private static boolean report(ConstraintValidatorContext context, String violation) {
        if (violation == null) {
            return true;
        }
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate(template(violation)).addConstraintViolation();
        return false;
    }

    // Messages are templates: a member name with '{' or '$' must not be interpolated.
    private static String template(String message) {
        return message.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("$", "\\$");
    }
}

package io.flagledger.flagapi.flags;

import io.flagledger.common.problem.Problem;
import java.util.List;

/** A configuration the evaluator could not serve; rendered as 400 with one entry per offending field. */
public class InvalidConfigException extends RuntimeException {

    private final List<Problem.FieldError> errors;

    public InvalidConfigException(List<Problem.FieldError> errors) {
        super("invalid flag configuration", null, false, false);
        this.errors = List.copyOf(errors);
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }
}

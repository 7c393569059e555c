package io.flagledger.flagapi.edge;

import io.flagledger.common.problem.Problem;
import java.util.List;

/**
 * A request refused before anything is written, rendered as problem+json with one entry per offending field: 400 for
 * a value an event cannot carry, 413 for a change whose event would be over budget (see {@link EventBudget}).
 */
public class RefusedInputException extends RuntimeException {

    private final int status;
    private final List<Problem.FieldError> errors;

    public RefusedInputException(int status, String detail, List<Problem.FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    public int status() {
        return status;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }

    public Problem problem(String instance) {
        return Problem.of(status, getMessage()).withInstance(instance).withErrors(errors);
    }
}

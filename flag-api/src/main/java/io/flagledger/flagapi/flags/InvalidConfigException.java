package io.flagledger.flagapi.flags;

import io.flagledger.common.problem.Problem;
import io.flagledger.flagapi.edge.RefusedInputException;
import java.util.List;

/** A configuration the evaluator could not serve; rendered as 400 with one entry per offending field. */
public class InvalidConfigException extends RefusedInputException {

    public InvalidConfigException(List<Problem.FieldError> errors) {
        super(400, "The flag configuration is invalid: " + errors.size() + " field(s) rejected", errors);
    }
}

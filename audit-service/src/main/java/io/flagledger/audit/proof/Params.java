package io.flagledger.audit.proof;

import io.flagledger.common.problem.ProblemException;

/** Query parameters parsed by hand, so bad input is a 400 with a message rather than a bare 404 from JAX-RS. */
public final class Params {

    private Params() {
    }

    /** A tree size or leaf count: a whole number of at least {@code min}. */
    public static long size(String name, String value, long min) {
        long n;
        try {
            n = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(name + " must be a whole number, not '" + value + "'");
        }
        if (n < min) {
            throw ProblemException.badRequest(name + " must be at least " + min + ", not " + n);
        }
        return n;
    }
}

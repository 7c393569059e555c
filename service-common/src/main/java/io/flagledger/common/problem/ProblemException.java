package io.flagledger.common.problem;

/** Thrown by services for an expected failure the client can act on; rendered as problem+json. */
public class ProblemException extends RuntimeException {

    private final int status;

    public ProblemException(int status, String detail) {
        super(detail, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, detail);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, detail);
    }

    public static ProblemException preconditionFailed(String detail) {
        return new ProblemException(412, detail);
    }

    public static ProblemException preconditionRequired(String detail) {
        return new ProblemException(428, detail);
    }
}

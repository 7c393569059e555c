package io.flagledger.flagapi.freeze;

/** A write refused because a freeze covers what it would change: 423 naming the freeze ({@link FreezeProblemMapper}). */
public class FrozenException extends RuntimeException {

    private final transient Freeze freeze;
    private final String flag;
    private final String environment;

    public FrozenException(Freeze freeze, String flag, String environment) {
        super(message(freeze), null, false, false);
        this.freeze = freeze;
        this.flag = flag;
        this.environment = environment;
    }

    public Freeze freeze() {
        return freeze;
    }

    /** The flag the refused write was for, when there is one. */
    public String flag() {
        return flag;
    }

    /** The environment the refused write was for; null for a write to every environment. */
    public String environment() {
        return environment;
    }

    private static String message(Freeze f) {
        return (f.environment == null ? "Project '" + f.project + "'" : "'" + f.project + "/" + f.environment + "'")
                + " is frozen since " + f.setAt + " by " + f.setBy + " (" + f.reason + (f.ticket == null ? "" : ", " + f.ticket)
                + "): flag writes are refused until the freeze is lifted (POST /api/v1/projects/" + f.project
                + "/freezes/" + f.id + "/lift); a break-glass kill and an approved revert are still allowed";
    }
}

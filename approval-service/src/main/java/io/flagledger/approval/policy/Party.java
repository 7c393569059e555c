package io.flagledger.approval.policy;

import io.flagledger.common.actor.Actor;

/**
 * An account ({@code id}, the token's {@code sub}) and the person behind it ({@code person}, null when unknown):
 * how separation of duties remembers who wrote or decided something. {@code id} is null when the account was never
 * recorded (revisions made before authors were kept).
 */
public record Party(String id, String person) {

    public static Party of(Actor actor) {
        return new Party(actor.id(), actor.person());
    }

    /** The key under which a person counts once: the person id when known, else the account. */
    public String countedAs() {
        return person != null ? "person:" + person : "account:" + id;
    }
}

package io.flagledger.verifier;

import java.util.List;

/**
 * The verdict on a bundle. {@code summary} says what was proven when there is no problem (entries, range,
 * checkpoint, custody); {@code problems} are ordered by where they were found (files, then sequence number).
 */
public record Report(List<Problem> problems, String summary, long entries) {

    public boolean verified() {
        return problems.isEmpty();
    }
}

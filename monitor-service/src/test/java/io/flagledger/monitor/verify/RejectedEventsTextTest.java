package io.flagledger.monitor.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a rejection logs and alerts is printable and bounded. */
class RejectedEventsTextTest {

    @Test
    void logAndAlertTextIsFreeOfControlCharacters() {
        assertThat(RejectedEvents.clean("line\nforged INFO entry\r", 100)).isEqualTo("line?forged INFO entry?");
        assertThat(RejectedEvents.clean("x".repeat(20), 5)).isEqualTo("xxxxx...");
    }
}

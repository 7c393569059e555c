package io.flagledger.monitor.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a rejection logs and alerts is printable and bounded. */
class RejectedEventsTextTest {

    @Test
    void logAndAlertTextIsFreeOfControlCharacters() {
        assertThat(RejectedEvents.clean("line\nforged INFO entry\r", 100)).isEqualTo("line%0Aforged INFO entry%0D");
        assertThat(RejectedEvents.clean("x".repeat(20), 5)).isEqualTo("xxxxx...");
        // what the signed alert carries must itself be signable: no NUL, no lone surrogate, not even when cut short
        assertThat(RejectedEvents.clean("a\u0000b\ud800c", 100)).isEqualTo("a%00b%uD800c");
        assertThat(RejectedEvents.clean("abcd\ud83d\ude00", 5)).isEqualTo("abcd...");
    }
}

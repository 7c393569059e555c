package io.flagledger.monitor.signals;

import java.time.Instant;

/** One error-rate observation (0..1) of an application. */
public record Sample(Instant at, double value) {
}

package io.flagledger.monitor;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The clock every rule reads; tests build rules with fixed or stepping clocks instead. */
public class MonitorClock {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}

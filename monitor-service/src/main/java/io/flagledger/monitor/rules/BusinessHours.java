package io.flagledger.monitor.rules;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Set;

/** Working hours in one time zone: [start, end) on the given weekdays, except holidays. */
public record BusinessHours(ZoneId zone, LocalTime start, LocalTime end, Set<DayOfWeek> weekdays, Set<LocalDate> holidays) {

    public BusinessHours {
        weekdays = Set.copyOf(weekdays);
        holidays = Set.copyOf(holidays);
    }

    public boolean contains(Instant instant) {
        ZonedDateTime local = instant.atZone(zone);
        LocalTime time = local.toLocalTime();
        return weekdays.contains(local.getDayOfWeek()) && !holidays.contains(local.toLocalDate())
                && !time.isBefore(start) && time.isBefore(end);
    }
}

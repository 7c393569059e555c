package io.flagledger.contract.approval;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** When an approved change may be applied, e.g. {@code MON-FRI 09:00-17:00 Europe/Amsterdam}. */
public record ApplyWindow(DayOfWeek firstDay, DayOfWeek lastDay, LocalTime from, LocalTime to, ZoneId zone) {

    private static final Pattern DAYS = Pattern.compile("^(MON|TUE|WED|THU|FRI|SAT|SUN)-(MON|TUE|WED|THU|FRI|SAT|SUN)$");
    private static final Pattern HOURS = Pattern.compile("^(\\d{2}:\\d{2})-(\\d{2}:\\d{2})$");

    public static ApplyWindow parse(String spec) {
        String[] parts = spec.trim().split("\\s+");
        Matcher days = DAYS.matcher(parts[0].toUpperCase(Locale.ROOT));
        Matcher hours = HOURS.matcher(parts.length > 1 ? parts[1] : "");
        if (parts.length != 3 || !days.matches() || !hours.matches()) {
            throw new IllegalArgumentException("apply window '" + spec + "' is not like 'MON-FRI 09:00-17:00 Europe/Amsterdam'");
        }
        return new ApplyWindow(day(days.group(1)), day(days.group(2)), LocalTime.parse(hours.group(1)),
                LocalTime.parse(hours.group(2)), ZoneId.of(parts[2]));
    }

    public boolean allows(Instant now) {
        ZonedDateTime local = now.atZone(zone);
        int d = local.getDayOfWeek().getValue();
        int a = firstDay.getValue();
        int b = lastDay.getValue();
        boolean day = a <= b ? d >= a && d <= b : d >= a || d <= b;
        LocalTime t = local.toLocalTime();
        return day && !t.isBefore(from) && t.isBefore(to);
    }

    @Override
    public String toString() {
        return abbrev(firstDay) + "-" + abbrev(lastDay) + " " + from + "-" + to + " " + zone.getId();
    }

    private static String abbrev(DayOfWeek day) {
        return day.getDisplayName(TextStyle.SHORT, Locale.ROOT).toUpperCase(Locale.ROOT);
    }

    private static DayOfWeek day(String abbreviation) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (abbrev(d).equals(abbreviation)) {
                return d;
            }
        }
        throw new IllegalArgumentException(abbreviation);
    }
}

package io.flagledger.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The console's flag timeline is read from the real audit-service as the signed-in person: audit-service checks the
 * person's roles and its {@code audit.read} event names the person, not approval-service (issue #12, item 12).
 */
class ConsoleTimelineIT {

    @Test
    void theLedgerRecordsThePersonWhoReadTheTimeline() throws Exception {
        Stack stack = ApprovalStack.get();
        String flag = ApprovedChangeReachesFlagApiIT.newFlag(stack);
        String timeline = "/console/flags/shop/" + flag;

        // the flag's creation reaches the ledger first, so the timeline has something to show
        String auditor = stack.token("auditor");
        Ledger.awaitSearch(stack, auditor, Map.of("flag", flag, "project", "shop"), 1, Duration.ofSeconds(60));
        ConsoleSession session = new ConsoleSession(stack.url("approval-service"), timeline, "auditor",
                stack.realm().password("auditor"), false);
        assertThat(session.firstPage).contains("Timeline of shop/" + flag).doesNotContain("ledger-needs-role",
                "cannot be reached");

        // audit-service flushes audited reads every interval: the read with this flag's filter names the auditor
        List<String> readers = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> readersOf(Ledger.awaitSearch(stack, auditor, Map.of("action", "audit.read", "limit", 200), 1,
                        Duration.ofSeconds(10)), flag), r -> !r.isEmpty());
        assertThat(readers).containsOnly("Audrey Auditor|user");
    }

    /** Who (actor name and type) read the ledger with a filter on {@code flag}. */
    private static List<String> readersOf(JsonPath page, String flag) {
        List<Map<String, Object>> items = page.getList("items");
        List<String> readers = new java.util.ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<Map<String, Object>> queries = page.getList("items[" + i + "].event.new_state.queries");
            if (queries != null && queries.stream().anyMatch(q -> q.get("parameters") instanceof Map<?, ?> p
                    && flag.equals(p.get("flag")))) {
                readers.add(page.getString("items[" + i + "].event.actor_name") + "|"
                        + page.getString("items[" + i + "].event.actor_type"));
            }
        }
        return readers;
    }
}

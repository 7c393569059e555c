package io.flagledger.flagapi.approval;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** How a write was allowed: the event's action and what the event's scope records about it. */
public record Admission(String action, ObjectNode scope) {
}

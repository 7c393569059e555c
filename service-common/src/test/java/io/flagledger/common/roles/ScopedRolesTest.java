package io.flagledger.common.roles;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The parsing and matching of scoped roles, with no server: every service's authorization rests on it. */
class ScopedRolesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", value = {
            "flag-editor,                flag-editor, -,    -",
            "flag-editor@shop,           flag-editor, shop, -",
            "flag-editor@shop/staging,   flag-editor, shop, staging",
            "flag-editor@*/staging,      flag-editor, *,    staging",
            "audit-reader@team.a_b-1,    audit-reader, team.a_b-1, -"})
    void parsesTheFourForms(String raw, String name, String project, String environment) {
        assertThat(ScopedRole.parse(raw)).contains(new ScopedRole(name, project, environment));
        assertThat(ScopedRole.parse(raw).orElseThrow().toString()).isEqualTo(raw);
    }

    /** Anything else grants nothing, the retired {@code name:environment} form included. */
    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"flag-editor:staging", "flag-editor@", "flag-editor@*", "flag-editor@shop/", "flag-editor@/staging",
            "flag-editor@shop/staging/x", "flag-editor@Shop", "flag-editor@shop/Prod", "Flag-Editor", "flag-editor@shop@b", "flag editor",
            "flag-editor@sh op", "", "@shop", "flag-editor@shop/*", "flag-editor@*/*"})
    void refusesEverythingElse(String raw) {
        assertThat(ScopedRole.parse(raw)).isEmpty();
        assertThat(ScopedRoles.of(List.of(raw)).hasAnywhere(Set.of("flag-editor"))).isFalse();
    }

    @Test
    void anUnscopedRoleCoversEverything() {
        ScopedRoles roles = ScopedRoles.of(List.of("flag-editor"));
        assertThat(roles.has("flag-editor", "shop", "production")).isTrue();
        assertThat(roles.has("flag-editor", "shop", null)).isTrue();
        assertThat(roles.has("flag-editor", null, null)).isTrue();
        assertThat(roles.has("flag-viewer", "shop", "production")).as("another role name").isFalse();
    }

    @Test
    void aProjectRoleCoversEveryEnvironmentOfThatProjectOnly() {
        ScopedRoles teamA = ScopedRoles.of(List.of("flag-editor@team-a"));
        assertThat(teamA.has("flag-editor", "team-a", "staging")).isTrue();
        assertThat(teamA.has("flag-editor", "team-a", null)).as("a flag-wide change of its project").isTrue();
        assertThat(teamA.has("flag-editor", "team-b", "staging")).as("team B's flags").isFalse();
        assertThat(teamA.has("flag-editor", "team-b", null)).isFalse();
        assertThat(teamA.has("flag-editor", null, null)).as("every project").isFalse();
        assertThat(teamA.has("flag-editor", "team-a-b", "staging")).as("no prefix matching").isFalse();
        assertThat(teamA.hasAnywhere(Set.of("flag-editor"))).isTrue();
        assertThat(teamA.hasUnscoped(Set.of("flag-editor"))).isFalse();
    }

    @Test
    void anEnvironmentRoleCoversOnlyThatEnvironment() {
        ScopedRoles stager = ScopedRoles.of(List.of("flag-editor@team-a/staging"));
        assertThat(stager.has("flag-editor", "team-a", "staging")).isTrue();
        assertThat(stager.has("flag-editor", "team-a", "production")).isFalse();
        assertThat(stager.has("flag-editor", "team-a", null)).as("creating a flag touches every environment").isFalse();
        assertThat(stager.has("flag-editor", "team-b", "staging")).isFalse();
        assertThat(stager.hasInProject(Set.of("flag-editor"), "team-a")).as("sees its project's flags").isTrue();
        assertThat(stager.hasInProject(Set.of("flag-editor"), "team-b")).isFalse();
    }

    @Test
    void anyProjectWithAnEnvironmentCoversThatEnvironmentEverywhere() {
        ScopedRoles stager = ScopedRoles.of(List.of("flag-editor@*/staging"));
        assertThat(stager.has("flag-editor", "team-a", "staging")).isTrue();
        assertThat(stager.has("flag-editor", "team-b", "staging")).isTrue();
        assertThat(stager.has("flag-editor", "team-a", "production")).isFalse();
        assertThat(stager.has("flag-editor", "team-a", null)).isFalse();
        assertThat(stager.hasInProject(Set.of("flag-editor"), "any-project")).isTrue();
    }

    @Test
    void namesCoveringAPlaceAreWhatADecisionThereIsMadeAs() {
        ScopedRoles roles = ScopedRoles.of(List.of("flag-approver", "security-approver@shop", "product-approver@other",
                "flag-viewer@shop/staging", "offline_access"));
        assertThat(roles.namesCovering("shop", "production")).containsExactly("flag-approver", "offline_access", "security-approver");
        assertThat(roles.namesCovering("other", "production")).containsExactly("flag-approver", "offline_access", "product-approver");
        assertThat(roles.namesCovering("shop", "staging")).contains("flag-viewer", "security-approver");
    }

    @Test
    void severalNamesAnyOfWhichWill() {
        ScopedRoles roles = ScopedRoles.of(List.of("flag-viewer@a", "flag-approver@b/production"));
        Set<String> readers = Set.of("flag-viewer", "flag-editor", "flag-approver");
        assertThat(roles.has(readers, "a", "production")).isTrue();
        assertThat(roles.has(readers, "b", "production")).isTrue();
        assertThat(roles.has(readers, "b", "staging")).isFalse();
        assertThat(roles.has(readers, "c", "production")).isFalse();
        assertThat(roles.scopesOf(readers)).extracting(ScopedRole::toString).containsExactly("flag-viewer@a", "flag-approver@b/production");
    }
}

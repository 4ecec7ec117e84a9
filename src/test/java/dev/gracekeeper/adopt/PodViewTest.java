package dev.gracekeeper.adopt;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodViewTest {
    static Map<String, Object> container(String name, String env) {
        return Tree.of("name", name, "env", List.of(Tree.of("name", env, "value", "x")));
    }

    @Test
    void theSidecarIsKnownByItsNameOrByOneOfItsOwnVariables() {
        assertTrue(PodView.isSidecar(container("gracekeeper", "FOO")));
        assertTrue(PodView.isSidecar(container("shutdown-helper", "GRACEKEEPER_STATE_DIR")));
    }

    @Test
    void anAppWithAVariableThatMerelyStartsLikeOursIsNotTheSidecar() {
        assertFalse(PodView.isSidecar(container("app", "GRACEKEEPER_URL")));
    }
}

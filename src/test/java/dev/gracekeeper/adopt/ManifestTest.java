package dev.gracekeeper.adopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestTest {
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of("one YAML document", "kind: Service\nmetadata: {name: a}\n", 1, false),
                Arguments.of("several YAML documents", "kind: Service\n---\nkind: ConfigMap\n---\nkind: Secret\n", 3, false),
                Arguments.of("leading and trailing separators", "---\nkind: Service\n---\n", 1, false),
                Arguments.of("a JSON object", "{\"kind\": \"Service\", \"metadata\": {\"name\": \"a\"}}", 1, true),
                Arguments.of("a JSON List", "  {\"kind\": \"List\", \"items\": [{\"kind\": \"Service\"}]}", 1, true),
                Arguments.of("a YAML List", "apiVersion: v1\nkind: List\nitems:\n- kind: Service\n", 1, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void readsEveryShapeAndRemembersJson(String what, String text, int documents, boolean json) throws Exception {
        Manifest m = Manifest.read(text, "t");
        assertEquals(documents, m.documents().size(), what);
        assertEquals(json, m.json(), what);
    }

    /** kubectl reads these as YAML 1.1 numbers, booleans, nulls: quoting them would change their type. */
    @Test
    void plainScalarsThatKubectlReadsAsTypedValuesComeBackAsWritten() throws Exception {
        String text = "kind: Deployment\nspec:\n  defaultMode: 0644\n  flag: yes\n  off: Off\n  none: ~\n"
                + "  time: 1:30\n  hex: 0x1F\n  mode: 420\n  word: 'yes'\n";
        Manifest m = Manifest.read(text, "t");
        assertEquals(text.replace("'yes'", "'yes'"), m.write(m.documents()));
        assertEquals("0644", Tree.str(Tree.child(Tree.map(m.documents().get(0)), "spec"), "defaultMode"));
        assertEquals(420, Tree.child(Tree.map(m.documents().get(0)), "spec").get("mode"));
    }

    @Test
    void keyOrderAndUnknownFieldsSurviveARoundTrip() throws Exception {
        String text = "kind: Deployment\nzeta: 1\nalpha:\n  x-vendor: {b: 2, a: 1}\n  list:\n  - 3\n  - c\n";
        Manifest m = Manifest.read(text, "t");
        assertEquals("kind: Deployment\nzeta: 1\nalpha:\n  x-vendor:\n    b: 2\n    a: 1\n  list:\n  - 3\n  - c\n",
                m.write(m.documents()));
    }

    @Test
    void jsonComesBackAsJson() throws Exception {
        Manifest m = Manifest.read("{\"kind\":\"Service\",\"spec\":{\"ports\":[{\"port\":80}],\"x\":true}}", "t");
        assertEquals("{\n  \"kind\": \"Service\",\n  \"spec\": {\n    \"ports\": [\n      {\n        \"port\": 80\n"
                + "      }\n    ],\n    \"x\": true\n  }\n}\n", m.write(m.documents()));
    }

    @Test
    void severalDocumentsInJsonBecomeAList() throws Exception {
        Manifest m = Manifest.read("{\"kind\":\"Service\"}", "t");
        String out = m.write(List.of(Map.of("kind", "Secret"), m.documents().get(0)));
        Manifest back = Manifest.read(out, "t");
        assertEquals("List", Tree.map(back.documents().get(0)).get("kind"));
        assertEquals(2, Tree.list(Tree.map(back.documents().get(0)).get("items")).size());
    }

    static Stream<String> yaml11NonStrings() {
        return Stream.of("on", "off", "yes", "No", "y", "1:30", "1_000", "0x1F", "8080", "1.5", "true", "null", "~", "2026-11-30",
                "2026-11-30T05:00:00Z", "<<");
    }

    @ParameterizedTest
    @MethodSource("yaml11NonStrings")
    void stringsKubectlWouldReadAsSomethingElseAreQuoted(String value) throws Exception {
        Manifest m = Manifest.read("kind: ConfigMap\ndata: {k: '" + value + "'}\n", "t");
        String out = m.write(m.documents());
        assertTrue(out.contains("k: '" + value + "'") || out.contains("k: \"" + value + "\""), out);
        assertEquals(value, Tree.child(Tree.map(Manifest.read(out, "t").documents().get(0)), "data").get("k"));
    }

    @Test
    void commentsAreNoticedSoTheUserCanBeTold() throws Exception {
        assertTrue(Manifest.read("# note\nkind: Service\n", "t").comments());
        assertFalse(Manifest.read("kind: Service\nmetadata: {name: 'a#b'}\n", "t").comments());
    }

    static Stream<Arguments> unreadable() {
        return Stream.of(
                Arguments.of("kind: Service\n  bad: indentation\n: x", "not valid YAML"),
                Arguments.of("kind: Service\nkind: Pod\n", "duplicate"),
                Arguments.of("- a\n- b\n", "is a list"),
                Arguments.of("just text\n", "scalar"),
                Arguments.of("", "no Kubernetes object"),
                Arguments.of("{\"kind\": \"Service\"", "not valid"));
    }

    @ParameterizedTest
    @MethodSource("unreadable")
    void unreadableInputIsNamedWithWhereAndWhy(String text, String expected) {
        ManifestException e = assertThrows(ManifestException.class, () -> Manifest.read(text, "in.yaml"));
        assertTrue(e.getMessage().startsWith("in.yaml: "), e.getMessage());
        assertTrue(e.getMessage().toLowerCase().contains(expected.toLowerCase()), e.getMessage());
    }
}

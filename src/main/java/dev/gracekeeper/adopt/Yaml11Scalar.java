package dev.gracekeeper.adopt;

import java.util.HashMap;
import java.util.Map;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.JsonSchema;

/**
 * A plain scalar that kubectl (YAML 1.1) reads as a number, boolean, null or timestamp but the
 * JSON schema reads as a string: {@code 0644} (octal 420), {@code yes}, {@code ~}, {@code 1:30}.
 * Kept as written and written back plain, so inject changes nothing it does not own: turned
 * into a string, {@code defaultMode: 0644} would come out as {@code '0644'}, which kubectl refuses.
 */
record Yaml11Scalar(String text) {
    static final Tag TAG = new Tag("tag:gracekeeper.dev,2026:yaml11");

    @Override public String toString() { return text; }

    /** The JSON schema for reading, except that such scalars become a {@link Yaml11Scalar}. */
    static final class ReadSchema extends JsonSchema {
        @Override
        public ScalarResolver getScalarResolver() {
            ScalarResolver json = super.getScalarResolver();
            return (value, implicit) -> {
                Tag tag = json.resolve(value, implicit);
                if (implicit && Tag.STR.equals(tag)
                        && Manifest.KubectlSafeSchema.YAML11_NOT_STRING.matcher(value).matches()) {
                    return TAG;
                }
                return tag;
            };
        }

        @Override
        public Map<Tag, ConstructNode> getSchemaTagConstructors() {
            Map<Tag, ConstructNode> m = new HashMap<>(super.getSchemaTagConstructors());
            m.put(TAG, node -> new Yaml11Scalar(((ScalarNode) node).getValue()));
            return m;
        }
    }
}

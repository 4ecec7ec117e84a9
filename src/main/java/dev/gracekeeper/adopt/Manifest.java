package dev.gracekeeper.adopt;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.representer.StandardRepresenter;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * A stream of manifests as read: multi-document YAML or one JSON value, each document a tree of
 * ordered maps, lists and scalars. Written back in the format it came in. Comments are not kept.
 *
 * @param json     the input was JSON (a JSON text is YAML too, but users get JSON back)
 * @param comments the input had comment lines, which the output will not have
 */
public record Manifest(List<Object> documents, boolean json, boolean comments) {
    private static final Pattern COMMENT_LINE = Pattern.compile("(?m)^\\s*#");

    public static Manifest read(String text, String source) throws ManifestException {
        LoadSettings settings = LoadSettings.builder().setLabel(source).setAllowDuplicateKeys(false)
                .setCodePointLimit(Input.MAX_BYTES).setSchema(new Yaml11Scalar.ReadSchema()).build();
        List<Object> docs = new ArrayList<>();
        try {
            for (Object doc : new Load(settings).loadAllFromString(text)) {
                if (doc == null) continue; // an empty document, e.g. after a trailing ---
                if (Tree.map(doc) == null) {
                    throw new ManifestException(source + ": document " + (docs.size() + 1) + " is "
                            + (doc instanceof List ? "a list" : "the scalar '" + doc + "'")
                            + "; valid: a mapping with apiVersion and kind (a Kubernetes object)");
                }
                docs.add(doc);
            }
        } catch (YamlEngineException e) {
            throw new ManifestException(source + ": not valid YAML or JSON: " + e.getMessage().strip());
        }
        if (docs.isEmpty()) throw new ManifestException(source + ": no Kubernetes object in the input");
        String start = text.stripLeading();
        boolean json = start.startsWith("{") || start.startsWith("[");
        return new Manifest(docs, json, !json && COMMENT_LINE.matcher(text).find());
    }

    /** The documents as text, in the input's format; JSON holds one value, so several become a List. */
    public String write(List<Object> docs) {
        if (json) {
            Object one = docs.size() == 1 ? docs.get(0)
                    : Tree.of("apiVersion", "v1", "kind", "List", "items", new ArrayList<>(docs));
            return Json.write(one) + "\n";
        }
        DumpSettings settings = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setIndent(2)
                .setWidth(Integer.MAX_VALUE).setSplitLines(false).setDereferenceAliases(true)
                .setSchema(new KubectlSafeSchema()).build();
        Dump dump = new Dump(settings, new Representer(settings));
        StringBuilder out = new StringBuilder();
        for (Object d : docs) {
            if (out.length() > 0) out.append("---\n");
            out.append(dump.dumpToString(d));
        }
        return out.toString();
    }

    /** Writes a {@link Yaml11Scalar} plain, with the tag its text resolves to, so no quotes or tag appear. */
    static final class Representer extends StandardRepresenter {
        Representer(DumpSettings settings) {
            super(settings);
            ScalarResolver resolver = settings.getSchema().getScalarResolver();
            representers.put(Yaml11Scalar.class, o -> {
                String text = ((Yaml11Scalar) o).text();
                return new ScalarNode(resolver.resolve(text, true), text, ScalarStyle.PLAIN);
            });
        }
    }

    /** A copy holding {@code docs}. */
    public Manifest with(List<Object> docs) {
        return new Manifest(docs, json, comments);
    }

    /**
     * The YAML 1.2 core schema for writing, plus the plain scalars that YAML 1.1 (which kubectl's
     * parser follows) reads as booleans, numbers or timestamps: such strings are quoted on the way
     * out, so an env value "on", "0:30" or "2026-01-01" stays a string for kubectl.
     */
    static final class KubectlSafeSchema extends CoreSchema {
        static final Pattern YAML11_NOT_STRING = Pattern.compile(
                "y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE"
                        + "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?" // sexagesimal
                        + "|[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|[0-9][0-9_]*)" // ints, with underscores
                        + "|[-+]?([0-9][0-9_]*)?\\.[0-9_]*([eE][-+]?[0-9]+)?|\\.(inf|Inf|INF|nan|NaN|NAN)|~|null|Null|NULL"
                        + "|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?|<<"); // timestamps, the merge key

        @Override
        public ScalarResolver getScalarResolver() {
            ScalarResolver core = super.getScalarResolver();
            return (value, implicit) -> {
                Tag tag = core.resolve(value, implicit);
                if (implicit && Tag.STR.equals(tag) && YAML11_NOT_STRING.matcher(value).matches()) return Tag.BOOL;
                return tag;
            };
        }
    }
}

package dev.gracekeeper.adopt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading and building the loaded manifest: mappings are {@link LinkedHashMap}s, so every key a
 * workload already has keeps its place, and whatever the commands do not know is carried along.
 */
public final class Tree {
    private Tree() {}

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> ? (Map<String, Object>) o : null;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object o) {
        return o instanceof List<?> ? (List<Object>) o : null;
    }

    /** The mapping under {@code key}, or null. */
    public static Map<String, Object> child(Map<String, Object> m, String key) {
        return m == null ? null : map(m.get(key));
    }

    /** The mappings in the list under {@code key}; other entries are skipped. */
    public static List<Map<String, Object>> maps(Map<String, Object> m, String key) {
        List<Map<String, Object>> out = new ArrayList<>();
        List<Object> l = m == null ? null : list(m.get(key));
        if (l != null) for (Object o : l) if (map(o) != null) out.add(map(o));
        return out;
    }

    /** A scalar as text (YAML may have read {@code 8080} as a number), or null. */
    public static String str(Map<String, Object> m, String key) {
        Object o = m == null ? null : m.get(key);
        return o == null || o instanceof Map || o instanceof List ? null : String.valueOf(o);
    }

    /** Walks a dotted path of mapping keys. */
    public static Map<String, Object> path(Map<String, Object> m, String dotted) {
        for (String k : dotted.split("\\.")) m = child(m, k);
        return m;
    }

    /** A new ordered mapping from key, value pairs; null values are left out. */
    public static Map<String, Object> of(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) if (kv[i + 1] != null) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    public static List<Object> listOf(Object... items) {
        return new ArrayList<>(List.of(items));
    }

    /** The list under {@code key}, created (at the end of the mapping) if absent. */
    public static List<Object> ensureList(Map<String, Object> m, String key) {
        List<Object> l = list(m.get(key));
        if (l == null) {
            l = new ArrayList<>();
            m.put(key, l);
        }
        return l;
    }

    /** The mapping under {@code key}, created (at the end of the mapping) if absent. */
    public static Map<String, Object> ensureMap(Map<String, Object> m, String key) {
        Map<String, Object> c = map(m.get(key));
        if (c == null) {
            c = new LinkedHashMap<>();
            m.put(key, c);
        }
        return c;
    }
}

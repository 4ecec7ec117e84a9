package dev.gracekeeper.kube;

import java.util.List;
import java.util.Map;

/** Typed access to parsed API objects: a missing or mistyped field reads as empty, never as an exception. */
final class Api {
    private Api() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> asObj(Object o) {
        return o instanceof Map ? (Map<String, Object>) o : Map.of();
    }

    static Map<String, Object> obj(Map<String, Object> m, String key) {
        return asObj(m.get(key));
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> m, String key) {
        Object o = m.get(key);
        return o instanceof List ? (List<Object>) o : List.of();
    }

    static String str(Map<String, Object> m, String key) {
        Object o = m.get(key);
        return o instanceof String s ? s : "";
    }
}

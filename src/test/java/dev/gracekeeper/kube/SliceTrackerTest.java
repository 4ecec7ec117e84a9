package dev.gracekeeper.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SliceTrackerTest {
    static final String ME = "uid-me";

    static String endpoint(String uid, String ready) {
        return "{\"addresses\":[\"10.0.0.1\"],\"conditions\":{" + (ready == null ? "" : "\"ready\":" + ready)
                + "},\"targetRef\":{\"kind\":\"Pod\",\"uid\":\"" + uid + "\"}}";
    }

    static String slice(String name, String service, long rv, String... endpoints) {
        return "{\"metadata\":{\"name\":\"" + name + "\",\"resourceVersion\":\"" + rv + "\",\"labels\":{"
                + (service == null ? "" : "\"kubernetes.io/service-name\":\"" + service + "\"") + "}},\"endpoints\":["
                + String.join(",", endpoints) + "]}";
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String s) { return (Map<String, Object>) JsonReader.parse(s); }

    static Map<String, Object> list(long rv, String... slices) {
        return json("{\"metadata\":{\"resourceVersion\":\"" + rv + "\"},\"items\":[" + String.join(",", slices) + "]}");
    }

    static SliceTracker listed(String... slices) {
        SliceTracker t = new SliceTracker(ME);
        t.list(list(10, slices));
        return t;
    }

    @Test
    void theFirstListPicksTheServicesWhoseSlicesListThePod() {
        SliceTracker t = listed(slice("web-a", "web", 5, endpoint(ME, "true"), endpoint("x", "true")),
                slice("api-a", "api", 6, endpoint(ME, null)), slice("db-a", "db", 7, endpoint("y", "true")));
        assertEquals(Set.of("web", "api"), t.services());
        assertEquals("kubernetes.io/service-name in (api,web)", t.labelSelector());
        assertEquals("10", t.resourceVersion());
        assertEquals(List.of("api-a", "web-a"), t.stillListing(), "an absent ready condition means ready");
        assertFalse(t.outOfRotation());
        assertFalse(t.inNoService());
    }

    @Test
    void outOfRotationOnceEverySliceShowsThePodNotReadyOrGone() {
        SliceTracker t = listed(slice("web-a", "web", 5, endpoint(ME, "true")), slice("api-a", "api", 6,
                endpoint(ME, "true")));
        t.apply("MODIFIED", json(slice("web-a", "web", 11, endpoint(ME, "false"))));
        assertEquals(List.of("api-a"), t.stillListing());
        assertFalse(t.outOfRotation());
        t.apply("MODIFIED", json(slice("api-a", "api", 12, endpoint("z", "true"))));
        assertTrue(t.outOfRotation());
        assertEquals("12", t.resourceVersion());
    }

    @Test
    void aSliceOfTheSameServiceThatLaterListsThePodReadyCountsToo() {
        SliceTracker t = listed(slice("web-a", "web", 5, endpoint(ME, "true")));
        t.apply("DELETED", json(slice("web-a", "web", 11, endpoint(ME, "true"))));
        assertTrue(t.outOfRotation());
        t.apply("ADDED", json(slice("web-b", "web", 12, endpoint(ME, "true"))));
        assertEquals(List.of("web-b"), t.stillListing(), "re-sharded, still in rotation");
        t.apply("ADDED", json(slice("other-a", "other", 13, endpoint(ME, "true"))));
        assertEquals(List.of("web-b"), t.stillListing(), "a Service the pod was not in at T0 is not followed");
    }

    @Test
    void bookmarksMoveTheResourceVersionOnly() {
        SliceTracker t = listed(slice("web-a", "web", 5, endpoint(ME, "true")));
        assertTrue(t.apply("BOOKMARK", json("{\"kind\":\"EndpointSlice\",\"metadata\":{\"resourceVersion\":\"99\"}}")));
        assertEquals("99", t.resourceVersion());
        assertEquals(List.of("web-a"), t.stillListing());
        assertFalse(t.apply("ERROR", json("{\"kind\":\"Status\",\"code\":410}")));
    }

    @Test
    void aListAfter410StartsOverForTheSameServices() {
        SliceTracker t = listed(slice("web-a", "web", 5, endpoint(ME, "true")));
        t.list(list(50, slice("web-b", "web", 40, endpoint(ME, "false")), slice("db-a", "db", 41, endpoint(ME, "true"))));
        assertEquals(Set.of("web"), t.services(), "the Services are those of T0");
        assertTrue(t.outOfRotation());
        assertEquals("50", t.resourceVersion());
    }

    @Test
    void aPodInNoServiceIsOutOfRotationAtOnce() {
        SliceTracker t = listed(slice("web-a", "web", 5, endpoint("x", "true")), slice("bare", null, 6,
                endpoint(ME, "true")));
        assertTrue(t.inNoService(), "a slice without the service label is not a Service's");
        assertTrue(t.outOfRotation());
    }
}

package dev.gracekeeper.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonReaderTest {
    @Test
    void readsObjectsArraysStringsNumbersAndLiterals() {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("s", "a\"b\\c/\n\u00e9\t");
        expected.put("n", -1.5e2);
        expected.put("i", 42.0);
        expected.put("l", Arrays.asList(true, false, null, List.of(), Map.of()));
        assertEquals(expected, JsonReader.parse(" {\"s\":\"a\\\"b\\\\c\\/\\n\\u00e9\\t\", \"n\": -1.5e2,\"i\":42,"
                + "\"l\":[true,false,null,[],{}]}\n"));
    }

    @Test
    void keepsTheOrderOfMembersAndTheLastOfADuplicate() {
        assertEquals(List.of("b", "a"), List.copyOf(((Map<?, ?>) JsonReader.parse("{\"b\":1,\"a\":2,\"b\":3}")).keySet()));
        assertEquals(3.0, ((Map<?, ?>) JsonReader.parse("{\"b\":1,\"a\":2,\"b\":3}")).get("b"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"a\":1                | JSON: unexpected end at offset 6 of 6",
        "{\"a\":1}x              | JSON: unexpected text after the document at offset 7 of 8",
        "{\"a\" 1}               | JSON: expected ':' at offset 5 of 7",
        "{a:1}                   | JSON: expected a member name at offset 1 of 5",
        "[1,]                    | JSON: unexpected character ']' at offset 3 of 4",
        "\"abc                   | JSON: unterminated string at offset 4 of 4",
        "\"\\x\"                 | JSON: bad escape \\x at offset 3 of 4",
        "\"\\u12\"               | JSON: short \\u escape at offset 3 of 6",
        "tru                     | JSON: unexpected character 't' at offset 0 of 3",
        "-                       | JSON: bad number at offset 0 of 1",
        "''                      | JSON: unexpected end at offset 0 of 0",
    })
    void malformedInputIsRefusedWithWhereAndWhat(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(text)).getMessage());
    }

    @Test
    void nestingIsBounded() {
        String deep = "[".repeat(JsonReader.MAX_DEPTH + 2) + "]".repeat(JsonReader.MAX_DEPTH + 2);
        assertEquals("JSON: nested deeper than 64 at offset 65 of 132",
                assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(deep)).getMessage());
    }
}

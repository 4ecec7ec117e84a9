package dev.gracekeeper.hook;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gracekeeper.ImageFlags;
import io.undertow.server.HttpHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The image's flags keep C1 off Undertow's generated header parser (docker/README.md, "The JVM flags"):
 * on JDK 17 compiling it holds some 4 MiB of arenas for about ten seconds. A pattern that names no
 * method is silently ignored by the JVM, so an Undertow upgrade that renames the method must fail here.
 */
class JitExclusionTest {
    static final String EXCLUDE = "-XX:CompileCommand=exclude,";

    @Test
    void everyMethodTheImageFlagsKeepFromTheJitIsAConcreteMethodOfUndertow() throws Exception {
        List<String> patterns = ImageFlags.print().stream().filter(f -> f.startsWith(EXCLUDE))
                .map(f -> f.substring(EXCLUDE.length())).toList();
        assertFalse(patterns.isEmpty(), "the image's flags exclude no method from the JIT; this test has nothing to check");
        for (String pattern : patterns) {
            int sep = pattern.indexOf("::");
            assertTrue(sep > 0 && pattern.charAt(sep - 1) == '*', "expected CLASS_PREFIX*::METHOD, got " + pattern);
            String prefix = pattern.substring(0, sep - 1);
            String method = pattern.substring(sep + 2);
            List<String> found = concreteMethods(prefix, method);
            assertFalse(found.isEmpty(), "no class of Undertow named " + prefix + "* declares a concrete " + method
                    + "(): the flag " + EXCLUDE + pattern + " excludes nothing; update it in docker/build-runtime.sh");
        }
    }

    @Test
    void quietComesBeforeEveryOtherCompileCommand() throws Exception {
        // HotSpot applies CompileCommands in order: after an exclude, quiet is too late and every start
        // prints "CompileCommand: exclude ..." on standard output, which no warning check would catch.
        List<String> flags = ImageFlags.print();
        int quiet = flags.indexOf("-XX:CompileCommand=quiet");
        for (int i = 0; i < flags.size(); i++) {
            if (flags.get(i).startsWith("-XX:CompileCommand=") && i != quiet) {
                assertTrue(quiet >= 0 && quiet < i, "-XX:CompileCommand=quiet must come before " + flags.get(i)
                        + " in docker/build-runtime.sh: " + flags);
            }
        }
    }

    /** The classes of Undertow's jar whose names start with {@code prefix} and declare a concrete {@code method}. */
    private static List<String> concreteMethods(String prefix, String method) throws Exception {
        Path jar = Path.of(HttpHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> found = new ArrayList<>();
        try (JarFile f = new JarFile(jar.toFile())) {
            for (JarEntry e : (Iterable<JarEntry>) f.stream()::iterator) {
                String name = e.getName();
                if (!name.endsWith(".class")) continue;
                String cls = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                if (!cls.startsWith(prefix)) continue;
                for (Method m : Class.forName(cls, false, HttpHandler.class.getClassLoader()).getDeclaredMethods()) {
                    if (m.getName().equals(method) && !Modifier.isAbstract(m.getModifiers())) found.add(cls + "::" + method);
                }
            }
        }
        return found;
    }
}

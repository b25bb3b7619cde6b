package io.pvnet.perf;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * No two packages of a pvnet module depend on each other, directly or through others (ARCHITECTURE.md: arrows point one
 * way). The JDK's {@code jdeps} lists the package dependencies of every pvnet module on this test's class path (the
 * reactor's {@code target/classes}, or the modules' jars); a cycle is reported with the class-level edges that make it.
 */
class PackageCycleTest
{
    private static final Pattern EDGE = Pattern.compile("^\\s+(io\\.pvnet\\.\\S+)\\s+->\\s+(io\\.pvnet\\.\\S+)\\s");

    @Test
    void shouldFindNoPackageCycleInAnyPvnetModule()
    {
        final ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElse(null);
        assumeTrue(jdeps != null, "jdeps missing: this JDK has no jdk.jdeps module");
        final List<String> modules = pvnetModules();
        assertTrue(modules.size() >= 5, "ring, checksum, engine, pci-passthrough and perf on the class path: " + modules);
        final List<String> cycles = new ArrayList<>();
        for (final String module : modules)
        {
            final Map<String, Set<String>> graph = packageGraph(jdeps, "-verbose:package", module);
            for (final Set<String> cycle : cycles(graph))
            {
                cycles.add(module + ": " + cycle + "\n" + classEdges(jdeps, module, cycle));
            }
        }
        assertEquals(List.of(), cycles);
    }

    @Test
    void shouldFindACycleWhereTwoPackagesUseEachOther()
    {
        final Map<String, Set<String>> graph = new TreeMap<>();
        graph.put("a", new TreeSet<>(List.of("b")));
        graph.put("b", new TreeSet<>(List.of("c")));
        graph.put("c", new TreeSet<>(List.of("a", "d")));
        graph.put("d", new TreeSet<>());
        assertEquals(List.of(Set.of("a", "b", "c")), cycles(graph));
        graph.get("c").remove("a");
        assertEquals(List.of(), cycles(graph));
    }

    /** @return the class path entries holding pvnet classes other than this module's tests. */
    private static List<String> pvnetModules()
    {
        final List<String> modules = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            final Path path = Path.of(entry);
            final String name = path.getFileName() == null ? "" : path.getFileName().toString();
            final boolean classes = Files.isDirectory(path.resolve("io/pvnet")) && !name.equals("test-classes");
            final boolean jar = name.startsWith("pvnet-") && name.endsWith(".jar") && !name.contains("-tests");
            if (classes || jar)
            {
                modules.add(entry);
            }
        }
        return modules;
    }

    private static Map<String, Set<String>> packageGraph(final ToolProvider jdeps, final String verbose, final String module)
    {
        final Map<String, Set<String>> graph = new TreeMap<>();
        for (final String line : run(jdeps, verbose, "-filter:none", "--ignore-missing-deps", module).split("\n"))
        {
            final Matcher edge = EDGE.matcher(line);
            if (edge.find() && !edge.group(1).equals(edge.group(2)))
            {
                graph.computeIfAbsent(edge.group(1), k -> new TreeSet<>()).add(edge.group(2));
                graph.computeIfAbsent(edge.group(2), k -> new TreeSet<>());
            }
        }
        return graph;
    }

    /** @return the class-level edges between the packages of {@code cycle}, for the failure message. */
    private static String classEdges(final ToolProvider jdeps, final String module, final Set<String> cycle)
    {
        final StringBuilder text = new StringBuilder();
        for (final Map.Entry<String, Set<String>> from : packageGraph(jdeps, "-verbose:class", module).entrySet())
        {
            for (final String to : from.getValue())
            {
                final String fromPackage = from.getKey().substring(0, from.getKey().lastIndexOf('.'));
                final String toPackage = to.substring(0, to.lastIndexOf('.'));
                if (!fromPackage.equals(toPackage) && cycle.contains(fromPackage) && cycle.contains(toPackage))
                {
                    text.append("    ").append(from.getKey()).append(" -> ").append(to).append('\n');
                }
            }
        }
        return text.toString();
    }

    private static String run(final ToolProvider tool, final String... arguments)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = tool.run(new PrintWriter(out), new PrintWriter(err), arguments);
        assertEquals(0, exit, "jdeps " + String.join(" ", arguments) + ": " + err);
        assertFalse(out.toString().isBlank(), "jdeps printed nothing for " + String.join(" ", arguments));
        return out.toString();
    }

    /** @return the strongly connected components of more than one package (Tarjan), each a cycle. */
    static List<Set<String>> cycles(final Map<String, Set<String>> graph)
    {
        final Map<String, Integer> index = new TreeMap<>();
        final Map<String, Integer> low = new TreeMap<>();
        final List<String> stack = new ArrayList<>();
        final List<Set<String>> found = new ArrayList<>();
        for (final String node : graph.keySet())
        {
            if (!index.containsKey(node))
            {
                connect(node, graph, index, low, stack, found);
            }
        }
        return found;
    }

    private static void connect(
        final String node,
        final Map<String, Set<String>> graph,
        final Map<String, Integer> index,
        final Map<String, Integer> low,
        final List<String> stack,
        final List<Set<String>> found)
    {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.add(node);
        for (final String next : graph.getOrDefault(node, Set.of()))
        {
            if (!index.containsKey(next))
            {
                connect(next, graph, index, low, stack, found);
                low.put(node, Math.min(low.get(node), low.get(next)));
            }
            else if (stack.contains(next))
            {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node)))
        {
            final Set<String> component = new TreeSet<>();
            String member;
            do
            {
                member = stack.remove(stack.size() - 1);
                component.add(member);
            }
            while (!member.equals(node));
            if (component.size() > 1)
            {
                found.add(component);
            }
        }
    }
}

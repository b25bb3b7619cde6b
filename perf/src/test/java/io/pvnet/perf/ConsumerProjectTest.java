package io.pvnet.perf;

import io.pvnet.ring.region.JvmFlags;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/embedding.md as a new user follows it: its {@code pom.xml} and Java file, copied as they are into a separate
 * Maven project, built against the library jars this build just made (in a private local repository under
 * {@code target/}, never {@code ~/.m2}), then run with the documented flags. Runs in {@code perf} because perf's tests
 * come after every library jar is packaged ({@code mvn verify}); skips, saying why, when the jars or {@code mvn} are not
 * there (for example {@code mvn test}).
 */
class ConsumerProjectTest
{
    private static final Pattern FILE_BLOCK =
        Pattern.compile("<!-- consumer-project: (\\S+) -->\\s*```\\w*\\n(.*?)\\n```", Pattern.DOTALL);
    private static final String[] LIBRARIES = {"pvnet-ring", "pvnet-checksum", "pvnet-engine", "pvnet-pci-passthrough"};
    private static final String[] MODULE_DIRECTORIES = {"ring", "checksum", "engine", "pci-passthrough"};

    private final Path root = Path.of(System.getProperty("pvnet.root", "..")).toAbsolutePath().normalize();
    private final String version = System.getProperty("pvnet.version", "");

    @Test
    void shouldBuildAndRunTheEmbeddingGuidesExampleAgainstTheBuiltArtifacts() throws Exception
    {
        final String mvn = findOnPath("mvn");
        Assumptions.assumeTrue(mvn != null, "mvn is not on PATH");
        for (int i = 0; i < LIBRARIES.length; i++)
        {
            final Path jar = jar(i);
            Assumptions.assumeTrue(Files.isRegularFile(jar),
                jar + " is not built: run through the package phase (mvn verify)");
        }
        final Path bom = root.resolve("target/pvnet-bom.pom");
        Assumptions.assumeTrue(Files.isRegularFile(bom), bom + " is not written: build from the top-level pom");

        final Map<String, String> files = filesOf(Files.readString(root.resolve("docs/embedding.md")));
        assertTrue(files.containsKey("pom.xml") && files.size() >= 2, "docs/embedding.md lost its example: " +
            files.keySet());
        assertTrue(files.get("pom.xml").contains("<pvnet.version>" + version + "</pvnet.version>"),
            "docs/embedding.md's pom.xml names another pvnet version than " + version);

        final Path work = root.resolve("perf/target/consumer-project");
        deleteRecursively(work);
        final Path project = Files.createDirectories(work.resolve("project"));
        for (final Map.Entry<String, String> file : files.entrySet())
        {
            final Path path = project.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue() + "\n");
        }
        final Path repository = installInto(work.resolve("repository"), bom);
        // the third-party artifacts come first from this build's own local repository, read as a file repository, so the
        // build needs no network when the machine has built pvnet; what that repository lacks (on a fresh machine, the
        // plugins pvnet's own build never runs, such as maven-dependency-plugin) comes from Maven Central
        final Path settings = Files.writeString(work.resolve("settings.xml"), """
            <settings>
              <profiles>
                <profile>
                  <id>build-repository</id>
                  <repositories>
                    <repository><id>build-repository</id><url>%1$s</url></repository>
                  </repositories>
                  <pluginRepositories>
                    <pluginRepository><id>build-repository</id><url>%1$s</url></pluginRepository>
                  </pluginRepositories>
                </profile>
              </profiles>
              <activeProfiles><activeProfile>build-repository</activeProfile></activeProfiles>
            </settings>
            """.formatted(Path.of(System.getProperty("pvnet.localRepository",
            System.getProperty("user.home") + "/.m2/repository")).toUri()));

        final List<String> build = new ArrayList<>(List.of(mvn, "-B", "-ntp", "-q",
            "-s", settings.toString(), "-Dmaven.repo.local=" + repository,
            "compile", "org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath",
            "-Dmdep.outputFile=target/classpath.txt"));
        final Result built = run(project, build, 240);
        assertEquals(0, built.exitCode, "the consumer project does not build:\n" + built.output);

        final String classpath = Files.readString(project.resolve("target/classpath.txt")).strip();
        final String arch = System.getProperty("os.arch");
        if ("amd64".equals(arch) || "aarch64".equals(arch))
        {
            assertTrue(classpath.contains("netty-transport-native-epoll") &&
                classpath.contains("amd64".equals(arch) ? "linux-x86_64" : "linux-aarch_64"),
                "the epoll native library of this platform reached the consumer: " + classpath);
        }
        assertFalse(classpath.contains("picocli") || classpath.contains("jctools"),
            "the library drags the CLI's dependencies: " + classpath);

        final List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        java.addAll(List.of(JvmFlags.ALL.split(" ")));
        java.add("-D" + JvmFlags.STRICT_PROPERTY + "=true");        // every documented flag given: nothing missing
        java.addAll(List.of("-cp", project.resolve("target/classes") + File.pathSeparator + classpath,
            "example.EmbeddedSwitch", "50"));
        final Result ran = run(project, java, 60);
        assertEquals(0, ran.exitCode, ran.output);
        assertTrue(ran.output.contains("echoes 50 of 50"), ran.output);
        assertTrue(ran.output.contains("checksum kernel: "), "the kernel log line: " + ran.output);
    }

    /** The files of the guide's example, by path, in the order written. */
    static Map<String, String> filesOf(final String markdown)
    {
        final Map<String, String> files = new LinkedHashMap<>();
        final Matcher matcher = FILE_BLOCK.matcher(markdown);
        while (matcher.find())
        {
            files.put(matcher.group(1), matcher.group(2));
        }
        return files;
    }

    private Path jar(final int index)
    {
        return root.resolve(MODULE_DIRECTORIES[index]).resolve("target")
            .resolve(LIBRARIES[index] + "-" + version + ".jar");
    }

    /** Lays the built poms and jars out as {@code mvn install} would (a local repository is only a directory layout). */
    private Path installInto(final Path repository, final Path bom) throws IOException
    {
        install(repository, "pvnet-parent", root.resolve("pom.xml"), "pom");
        install(repository, "pvnet-bom", bom, "pom");
        for (int i = 0; i < LIBRARIES.length; i++)
        {
            install(repository, LIBRARIES[i], root.resolve(MODULE_DIRECTORIES[i]).resolve("pom.xml"), "pom");
            install(repository, LIBRARIES[i], jar(i), "jar");
        }
        return repository;
    }

    private void install(final Path repository, final String artifactId, final Path file, final String extension)
        throws IOException
    {
        final Path directory = Files.createDirectories(repository.resolve("io/pvnet").resolve(artifactId).resolve(version));
        Files.copy(file, directory.resolve(artifactId + "-" + version + "." + extension),
            StandardCopyOption.REPLACE_EXISTING);
    }

    private record Result(int exitCode, String output)
    {
    }

    private static Result run(final Path directory, final List<String> command, final long timeoutSeconds)
        throws IOException, InterruptedException
    {
        final ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        // Maven itself runs on this JDK (25): the example compiles with release 25 and needs no toolchain
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("MAVEN_OPTS");
        final Path log = Files.createTempFile(directory, "run", ".log");
        builder.redirectOutput(log.toFile());
        final Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return new Result(-1, "timed out after " + timeoutSeconds + " s: " + command + "\n" +
                Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static String findOnPath(final String name)
    {
        for (final String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        {
            final Path candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate))
            {
                return candidate.toString();
            }
        }
        return null;
    }

    private static void deleteRecursively(final Path path) throws IOException
    {
        if (!Files.exists(path))
        {
            return;
        }
        try (var walk = Files.walk(path))
        {
            for (final Path each : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList())
            {
                Files.delete(each);
            }
        }
    }
}

package io.pvnet.ring.region;

import io.pvnet.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start-up check of the JVM flags, in child JVMs started without one flag or another. */
class JvmFlagsTest
{
    private static final int REFUSED = 3;

    /** Runs in the child: makes a region; prints the refusal and exits {@link #REFUSED} when the check fails. */
    public static void main(final String[] args)
    {
        try (Region region = Region.createAnonymous(1 << 16))
        {
            System.out.println("region " + region.lengthBytes());
        }
        catch (final IllegalStateException ex)
        {
            System.out.println("refused: " + ex.getMessage());
            System.exit(REFUSED);
        }
    }

    @Test
    void shouldFindNothingMissingInAJvmStartedWithTheDocumentedFlags()
    {
        assertEquals(java.util.List.of(), JvmFlags.missing());
        JvmFlags.check();
    }

    @Test
    void shouldCarryThePomsFlagLine()
    {
        for (final String flag : new String[] {"--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "--add-modules=jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED"})
        {
            assertTrue(JvmFlags.ALL.contains(flag), JvmFlags.ALL);
        }
        assertFalse(JvmFlags.ALL.contains("${"), JvmFlags.ALL);
    }

    @Test
    void shouldRefuseARegionNamingTheMissingAddOpensInsteadOfAgronasIllegalAccessError() throws Exception
    {
        final ChildJvm.Result result = ChildJvm.of(JvmFlagsTest.class)
            .withoutFlags(flag -> flag.contains("jdk.internal.misc")).run(60_000);
        assertEquals(REFUSED, result.exitCode(), result.output());
        assertTrue(result.output().contains(
            "refused: pvnet cannot start: the JVM lacks --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"),
            result.output());
        assertTrue(result.output().contains("Start java with: " + JvmFlags.ALL), result.output());
        assertFalse(result.output().contains("IllegalAccessError"), result.output());
    }

    @Test
    void shouldRunButWarnOnceWithoutTheVectorModule() throws Exception
    {
        final ChildJvm.Result result = ChildJvm.of(JvmFlagsTest.class)
            .withoutFlags(flag -> flag.contains("jdk.incubator.vector")).run(60_000);
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("WARNING: pvnet runs, but the JVM lacks --add-modules=jdk.incubator.vector"),
            result.output());
        assertEquals("region " + (1 << 16), result.lastLine(), result.output());
    }

    @Test
    void shouldRefuseAMissingRecommendedFlagInStrictMode() throws Exception
    {
        final ChildJvm.Result result = ChildJvm.of(JvmFlagsTest.class)
            .withoutFlags(flag -> flag.startsWith("--enable-native-access"))
            .flags("-D" + JvmFlags.STRICT_PROPERTY + "=true").run(60_000);
        assertEquals(REFUSED, result.exitCode(), result.output());
        assertTrue(result.output().contains("the JVM lacks --enable-native-access=ALL-UNNAMED (FFM calls"),
            result.output());
    }
}

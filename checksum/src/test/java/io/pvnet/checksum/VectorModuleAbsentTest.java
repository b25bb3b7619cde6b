package io.pvnet.checksum;

import io.pvnet.testsupport.ChildJvm;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start-up choice of the checksum kernel, in a second JVM: without {@code --add-modules=jdk.incubator.vector} it must
 * fall back to the 64-bit word variant, still sum correctly, and say so in its one log line.
 */
class VectorModuleAbsentTest
{
    /** Runs in the second JVM: prints the chosen variant, whether the vector one exists, and a known sum. */
    public static void main(final String[] args)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
        buffer.putBytes(0, new byte[] {0x00, 0x01, (byte)0xf2, 0x03, (byte)0xf4, (byte)0xf5, (byte)0xf6, (byte)0xf7});
        System.out.println(Checksums.best().name() + " " + (Checksums.vectorOrNull() == null) + " " +
            Integer.toHexString(Checksums.best().sum(buffer, 0, 8)));
    }

    @Test
    void shouldFallBackToLongWordsWithoutTheVectorModuleAndLogWhy() throws Exception
    {
        final ChildJvm.Result result = ChildJvm.of(VectorModuleAbsentTest.class)
            .withoutFlags(flag -> flag.contains("jdk.incubator.vector") || flag.startsWith("-Xmx")).run(60_000);
        assertEquals(0, result.exitCode(), result.output());
        assertEquals("long true ddf2", result.lastLine(), result.output());
        assertTrue(result.output().contains("checksum kernel: long (module jdk.incubator.vector is not in the boot " +
            "layer; start java with --add-modules=jdk.incubator.vector for the vector kernel)"), result.output());
    }

    @Test
    void shouldLogTheChosenKernelOnceWithTheVectorModule() throws Exception
    {
        final ChildJvm.Result result = ChildJvm.of(VectorModuleAbsentTest.class).run(60_000);
        assertEquals(0, result.exitCode(), result.output());
        final String line = "checksum kernel: " + Checksums.best().name() + " (";
        assertTrue(result.output().contains(line), result.output());
        assertEquals(result.output().indexOf(line), result.output().lastIndexOf(line), "logged once: " + result.output());
    }
}

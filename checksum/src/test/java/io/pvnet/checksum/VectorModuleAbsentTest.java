package io.pvnet.checksum;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start-up choice without the incubator module: a second JVM, started with this JVM's flags minus
 * {@code --add-modules=jdk.incubator.vector}, must fall back to the 64-bit word variant and still sum correctly.
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
    void shouldFallBackToLongWordsWithoutTheVectorModule() throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        for (final String flag : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!flag.contains("jdk.incubator.vector") && !flag.startsWith("-javaagent") && !flag.startsWith("-Xmx"))
            {
                command.add(flag);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(VectorModuleAbsentTest.class.getName());
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        assertEquals("long true ddf2", output.lines().reduce((first, second) -> second).orElse(""), output);
    }
}

package io.pvnet.ring.region;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags pvnet needs on Java 25, checked once before the first region is made (every {@link Region} factory
 * calls {@link #check()}), so a JVM started without them fails with one message naming each missing flag instead of
 * Agrona's raw {@code IllegalAccessError}, or runs slower without saying so.
 * <pre>
 *   --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED   required: Agrona's UnsafeApi (every off-heap buffer)
 *   --add-opens=java.base/java.nio=ALL-UNNAMED            Netty (VXLAN port): direct buffers without copies
 *   --add-opens=java.base/sun.nio.ch=ALL-UNNAMED          Netty (VXLAN port): NIO selector fallback
 *   --sun-misc-unsafe-memory-access=allow                 Netty and JCTools use sun.misc.Unsafe; no JDK warning
 *   --add-modules=jdk.incubator.vector                    the vectorized Internet checksum (else the 64-bit one)
 *   --enable-native-access=ALL-UNNAMED                    FFM: TAP ioctl, sysfs mmap, memory segments; no JDK warning
 *   -Dio.netty.tryReflectionSetAccessible=true            Netty uses the java.nio opening above
 * </pre>
 * A missing required flag throws {@link IllegalStateException}; a missing recommended one is logged once as a warning
 * (logger {@code io.pvnet}), or throws too when system property {@value #STRICT_PROPERTY} is {@code true}. When pvnet
 * and its libraries sit on the module path, the messages name their modules instead of {@code ALL-UNNAMED}.
 * <p>
 * Thread-safe; the check runs once per JVM and costs nothing afterwards.
 */
public final class JvmFlags
{
    /** System property: {@code true} makes a missing recommended flag fail as a required one does. */
    public static final String STRICT_PROPERTY = "pvnet.jvmFlags.strict";

    /**
     * Every flag pvnet's launcher, tests and benchmarks use, in one line: the parent pom's {@code pvnet.jvm.flags},
     * written into this jar at build time (resource {@code jvm.options} beside this class).
     */
    public static final String ALL = readAll();

    private static volatile boolean checked;

    /**
     * One flag that is missing.
     *
     * @param flag     the flag to add, as written on a java command line.
     * @param required whether pvnet cannot run without it.
     * @param why      what it is for, or what runs differently without it.
     */
    public record Missing(String flag, boolean required, String why)
    {
        @Override
        public String toString()
        {
            return flag + " (" + why + ")";
        }
    }

    private JvmFlags()
    {
    }

    /**
     * Checks the flags once per JVM (later calls return at once).
     *
     * @throws IllegalStateException naming every missing required flag (and, in strict mode, every recommended one),
     *                               with the whole flag line to start java with.
     */
    public static void check()
    {
        if (checked)
        {
            return;
        }
        synchronized (JvmFlags.class)
        {
            if (checked)
            {
                return;
            }
            final List<Missing> missing = missing();
            final boolean strict = Boolean.getBoolean(STRICT_PROPERTY);
            final List<Missing> fatal = new ArrayList<>();
            final List<Missing> warnings = new ArrayList<>();
            for (final Missing flag : missing)
            {
                (flag.required() || strict ? fatal : warnings).add(flag);
            }
            if (!fatal.isEmpty())
            {
                throw new IllegalStateException(message("pvnet cannot start: the JVM lacks", fatal));
            }
            if (!warnings.isEmpty())
            {
                System.getLogger("io.pvnet").log(System.Logger.Level.WARNING,
                    message("pvnet runs, but the JVM lacks", warnings));
            }
            checked = true;
        }
    }

    /** {@return the flags this JVM lacks, required ones first; empty when it was started as pvnet documents} */
    public static List<Missing> missing()
    {
        final List<Missing> missing = new ArrayList<>();
        final ClassLoader loader = JvmFlags.class.getClassLoader();
        final Module base = Object.class.getModule();

        final Module agrona = moduleOf("org.agrona.UnsafeApi", loader);
        if (null != agrona && !base.isExported("jdk.internal.misc", agrona))
        {
            missing.add(new Missing("--add-opens=java.base/jdk.internal.misc=" + target(agrona), true,
                "Agrona reaches jdk.internal.misc.Unsafe for every off-heap buffer"));
        }

        final Module netty = moduleOf("io.netty.util.internal.PlatformDependent", loader);
        if (null != netty)
        {
            if (!base.isOpen("java.nio", netty))
            {
                missing.add(new Missing("--add-opens=java.base/java.nio=" + target(netty), false,
                    "Netty, for the VXLAN port's direct buffers"));
            }
            if (!base.isOpen("sun.nio.ch", netty))
            {
                missing.add(new Missing("--add-opens=java.base/sun.nio.ch=" + target(netty), false,
                    "Netty, for the VXLAN port's NIO fallback"));
            }
        }

        final List<String> arguments = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if ((null != netty || null != moduleOf("org.jctools.util.UnsafeAccess", loader)) &&
            !arguments.contains("--sun-misc-unsafe-memory-access=allow"))
        {
            missing.add(new Missing("--sun-misc-unsafe-memory-access=allow", false,
                "Netty and JCTools use sun.misc.Unsafe; without it the JDK prints a warning"));
        }

        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty())
        {
            missing.add(new Missing("--add-modules=jdk.incubator.vector", false,
                "the vectorized Internet checksum; without it the slower 64-bit word checksum is used"));
        }

        final Module self = JvmFlags.class.getModule();
        if (!self.isNativeAccessEnabled())
        {
            missing.add(new Missing("--enable-native-access=" +
                (self.isNamed() ? "io.pvnet.ring,io.pvnet.checksum,io.pvnet.engine,io.pvnet.pci" : "ALL-UNNAMED"),
                false, "FFM calls (TAP devices, PCI resources, memory segments); without it the JDK prints warnings"));
        }
        missing.sort((a, b) -> Boolean.compare(b.required(), a.required()));
        return missing;
    }

    private static String message(final String lead, final List<Missing> flags)
    {
        final StringBuilder text = new StringBuilder(lead);
        for (final Missing flag : flags)
        {
            text.append(' ').append(flag).append(';');
        }
        text.setLength(text.length() - 1);
        return text.append(". Start java with: ").append(ALL).append(" (see docs/embedding.md)").toString();
    }

    private static String readAll()
    {
        try (InputStream in = JvmFlags.class.getResourceAsStream("jvm.options"))
        {
            if (null == in)
            {
                throw new IllegalStateException("resource=io/pvnet/ring/region/jvm.options missing from pvnet-ring");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("resource=io/pvnet/ring/region/jvm.options unreadable", ex);
        }
    }

    private static Module moduleOf(final String className, final ClassLoader loader)
    {
        try
        {
            // loaded, not initialised: initialising Agrona's UnsafeApi is what fails without the flag
            return Class.forName(className, false, loader).getModule();
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            return null;
        }
    }

    private static String target(final Module module)
    {
        return module.isNamed() ? module.getName() : "ALL-UNNAMED";
    }
}

package io.pvnet.engine.control;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.pvnet.ring.region.HostFile;
import io.pvnet.ring.share.LinuxCalls;
import io.pvnet.ring.share.LinuxException;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;

/**
 * Closes a process holding shared memory (the switch, a guest) to other processes of its own uid, as far as Linux
 * lets a process do it for itself: {@code prctl(PR_SET_DUMPABLE, 0)}, as ssh-agent and gpg-agent do. A process that
 * is not dumpable has its {@code /proc/PID} entries owned by root, so a process without {@code CAP_SYS_PTRACE}, even of
 * the same uid, can neither list nor open its descriptors ({@code /proc/PID/fd/N}: the memfds), nor read its memory
 * ({@code /proc/PID/mem}, {@code /proc/PID/map_files}, {@code process_vm_readv}), nor ptrace it; and it writes no
 * core dump. JVM attach (jcmd, agents) is a door the JVM opens itself, to processes of the same uid: only the
 * {@code -XX:+DisableAttachMechanism} flag closes it ({@code ./pvnet} passes it to switch, guest and gen).
 * <p>
 * Threading: any thread, once at start.
 */
public final class ProcessProtection
{
    private ProcessProtection()
    {
    }

    /**
     * Makes this process not dumpable; warns on {@code warnings} (one line each, prefixed with {@code command}) what
     * stays open: the process when prctl fails, JVM attach when enabled.
     *
     * @return whether the process is now not dumpable.
     */
    public static boolean closeToOthers(final String command, final PrintStream warnings)
    {
        boolean closed;
        try
        {
            LinuxCalls.setDumpable(false);
            closed = !LinuxCalls.isDumpable();
        }
        catch (final LinuxException | IllegalStateException ex)
        {
            closed = false;
            warnings.println(command + ": warning: cannot make the process non-dumpable (" + ex.getMessage() +
                "): processes of uid " + HostFile.effectiveUid() + " can read its memory through /proc");
        }
        if (attachEnabled())
        {
            warnings.println(command + ": warning: JVM attach is enabled: a process of uid " + HostFile.effectiveUid() +
                " can load code into this one (start the JVM with -XX:+DisableAttachMechanism, as ./pvnet does)");
        }
        return closed;
    }

    /** @return whether this JVM accepts attach requests (jcmd, agents) from processes of its uid. */
    public static boolean attachEnabled()
    {
        try
        {
            return !Boolean.parseBoolean(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .getVMOption("DisableAttachMechanism").getValue());
        }
        catch (final RuntimeException ex)
        {
            return true; // not HotSpot: assume the worst
        }
    }
}

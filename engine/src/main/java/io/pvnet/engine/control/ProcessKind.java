package io.pvnet.engine.control;

import io.pvnet.ring.region.RegionDescriptor;

/**
 * How refusals and log lines name the process serving a control socket, from its kind: the role its region's header
 * records ({@link RegionDescriptor#ROLE_SWITCH}, {@link RegionDescriptor#ROLE_VIF_RUN}) or, for a process without a
 * status file, its pvnet command ({@code bench}, {@code latency}): {@code this switch}, {@code this vif-run process},
 * {@code this bench process} on the serving side ({@link AdminService}, {@link GuestControlServer}), {@code the
 * switch}, {@code the vif-run process} on the tool's ({@link AdminClient}).
 */
final class ProcessKind
{
    private ProcessKind()
    {
    }

    /**
     * @param kind the process kind: a region role ({@code switch}, {@code vif-run}) or a pvnet command ({@code bench},
     *             {@code latency}).
     * @return the process as messages name it after "this" or "the": {@code switch}, {@code vif-run process},
     *         {@code bench process}.
     */
    static String noun(final String kind)
    {
        return kind.equals(RegionDescriptor.ROLE_SWITCH) ? kind : kind + " process";
    }

    /**
     * @param kind the process kind: a region role ({@code switch}, {@code vif-run}) or a pvnet command ({@code bench},
     *             {@code latency}).
     * @return the log lines' prefix: {@code pvnet switch}, {@code pvnet vif-run}, {@code pvnet bench}.
     */
    static String command(final String kind)
    {
        return "pvnet " + kind;
    }
}

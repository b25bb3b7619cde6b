package io.pvnet.engine.port.vif;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortOffloads;
import org.agrona.DirectBuffer;

/**
 * A vif as a switch port: frames the bridge sends go to the guest through {@link VifBackend#offer} (the backend's rx
 * queue); frames the guest transmits reach the bridge through the sink the backend was created with (the bridge's
 * ingress for this port). The vif backend is itself the edge for its guest: it completes checksums and splits TSO
 * frames for a guest that did not negotiate them, so the port declares {@link PortOffloads#ALL} and the bridge passes
 * offloaded frames through; the MTU is the vif's current MTU (changed at run time through the store).
 * <p>
 * Wiring, because the backend needs the ingress sink at creation and the bridge needs the port first:
 * <pre>
 *   VifPort port = new VifPort("vif1.0");
 *   int index = bridge.attach(port, PortVlan.access(1));
 *   port.backend(VifBackend.create(vifRegion, config, bridge.ingress(index), offload));
 * </pre>
 * Threading: {@link #onFrame} on the bridge thread, the one producer of the backend's rx queue; the backend's agent
 * must run on the bridge thread too, since it calls the bridge's ingress.
 */
public final class VifPort implements Port
{
    private final String name;
    private VifBackend backend;

    /**
     * A port with no backend yet; set it with {@link #backend(VifBackend)} before traffic.
     *
     * @param name the port's name in counters and captures (for example {@code vif1}).
     */
    public VifPort(final String name)
    {
        this.name = name;
    }

    /**
     * Sets the backend, once, before traffic.
     *
     * @param backend the vif's backend, created with this port's ingress sink.
     * @return this port.
     * @throws IllegalStateException if the port already has a backend.
     */
    public VifPort backend(final VifBackend backend)
    {
        if (this.backend != null)
        {
            throw new IllegalStateException("port=" + name + " already has a backend");
        }
        this.backend = backend;
        return this;
    }

    /** {@return the vif backend this port delivers to} */
    public VifBackend backend()
    {
        return backend;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public int offloads()
    {
        return PortOffloads.ALL;
    }

    @Override
    public int mtu()
    {
        return backend == null ? 1500 : backend.mtu();
    }

    /** {@return 0 when queued for the guest, else the {@link PortDropReason} code of the backend's refusal} */
    @Override
    public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        if (backend == null)
        {
            return PortDropReason.WRITE_FAILED;
        }
        return portDropReason(backend.offer(buffer, offset, length, metadata));
    }

    /**
     * The backend's refusal ({@link io.pvnet.engine.vif.DropReason}, which the caller counts) as the bridge's drop
     * code, so that it is counted under its own reason (the bridge's counters take only port codes: an xnb code used
     * to be counted as {@code offload-failed}).
     *
     * @param vifReason the backend's result.
     * @return 0, or a {@link PortDropReason} code.
     */
    static int portDropReason(final int vifReason)
    {
        return switch (vifReason)
        {
            case io.pvnet.engine.vif.DropReason.NONE -> 0;
            case io.pvnet.engine.vif.DropReason.RX_NOT_CONNECTED -> PortDropReason.NOT_CONNECTED;
            case io.pvnet.engine.vif.DropReason.RX_QUEUE_FULL -> PortDropReason.QUEUE_FULL;
            case io.pvnet.engine.vif.DropReason.RX_OVERSIZE, io.pvnet.engine.vif.DropReason.RX_TOO_BIG ->
                PortDropReason.MTU_EXCEEDED;
            case io.pvnet.engine.vif.DropReason.RX_OFFLOAD_FAILED -> PortDropReason.OFFLOAD_FAILED;
            default -> PortDropReason.VIF_REFUSED;
        };
    }
}

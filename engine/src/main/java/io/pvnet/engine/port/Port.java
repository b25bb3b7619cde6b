package io.pvnet.engine.port;

import io.pvnet.engine.frame.FrameSink;

/**
 * One edge of the switch: something frames leave through ({@link #onFrame}, called by the bridge) and, for most
 * ports, come in from (handed to the ingress {@link FrameSink} the embedder connects, usually from
 * {@code Bridge.attach}). A port declares what it offloads ({@link PortOffloads}) and its MTU; the bridge never gives
 * it a frame it cannot take, except where the port's declaration changes while frames are in flight, in which case the
 * port drops with a reason code.
 * <p>
 * Threading: {@link #onFrame} is called by the one thread that runs the bridge; the port's own receive work runs in
 * its agent (if it has one), on whichever thread the embedder chooses.
 */
public interface Port extends FrameSink
{
    /** {@return the name in counters and logs} */
    String name();

    /** {@return {@link PortOffloads} bits} */
    int offloads();

    /** {@return the largest IP packet (bytes after the Ethernet header and any VLAN tag) the port sends unsplit} */
    int mtu();
}

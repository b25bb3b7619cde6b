package io.pvnet.ring.event;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * One end of an event channel in shared memory ({@link EventChannelDescriptor}): {@link #notifyPeer()} raises the
 * remote port, {@link #poll()} / {@link #await(long)} consume what was raised on the local port. Works between threads
 * of one process and between processes mapping the same section; waiting spins, yields or parks through the
 * configured Agrona {@link IdleStrategy} (an {@link IdleMode}), since one process cannot wake a thread of another.
 * <p>
 * Typical use with a ring: {@code if (front.pushRequestsAndCheckNotify()) channel.notifyPeer();} on one side, and on
 * the other {@code while (back.finalCheckForRequests() == 0) channel.await(timeoutNs);}.
 * <p>
 * <b>Threads.</b> {@link #notifyPeer()} may be called from any thread. {@link #poll()}, {@link #await(long)} and the
 * idle strategy belong to one waiting thread. Allocation-free.
 */
public final class EventChannel
{
    private final AtomicBuffer ports;
    private final int localOffset;
    private final int remoteOffset;
    private final IdleStrategy idleStrategy;
    private long lastSeen;

    /**
     * @param ports      the event-channel section (both ends use the same one).
     * @param localPort  the port this end waits on.
     * @param remotePort the port the peer waits on.
     * @param idleMode   how {@link #await(long)} idles.
     * @throws IllegalArgumentException when a port does not fit in {@code ports} or both are the same.
     */
    public EventChannel(final AtomicBuffer ports, final int localPort, final int remotePort, final IdleMode idleMode)
    {
        this(ports, localPort, remotePort, idleMode.newIdleStrategy());
    }

    /** As the other constructor with an idle strategy instance (owned by this channel's waiting thread from now on). */
    public EventChannel(final AtomicBuffer ports, final int localPort, final int remotePort, final IdleStrategy idleStrategy)
    {
        EventChannelDescriptor.checkPort(ports, localPort);
        EventChannelDescriptor.checkPort(ports, remotePort);
        if (localPort == remotePort)
        {
            throw new IllegalArgumentException("localPort=" + localPort + " must differ from remotePort=" + remotePort);
        }
        this.ports = ports;
        this.localOffset = EventChannelDescriptor.pendingSequenceOffset(localPort);
        this.remoteOffset = EventChannelDescriptor.pendingSequenceOffset(remotePort);
        this.idleStrategy = idleStrategy;
        this.lastSeen = ports.getLongAcquire(localOffset);
    }

    /** Raises the peer's port ({@code notify_remote_via_evtchn}). */
    public void notifyPeer()
    {
        // atomic add (full barrier): the ring push before it is visible to a waiter that sees the new sequence
        ports.getAndAddLong(remoteOffset, 1);
    }

    /**
     * Consumes what was raised on the local port since the last call.
     *
     * @return true when at least one notification arrived (several collapse into one).
     */
    public boolean poll()
    {
        // acquire: pairs with the notifier's atomic add, so the ring state it published is visible after this returns
        final long sequence = ports.getLongAcquire(localOffset);
        if (sequence != lastSeen)
        {
            lastSeen = sequence;
            return true;
        }
        return false;
    }

    /**
     * Waits for a notification on the local port, idling through the idle strategy.
     *
     * @param timeoutNs how long to wait at most; 0 polls once.
     * @return true when a notification arrived, false on timeout or interrupt (the interrupt flag stays set).
     */
    public boolean await(final long timeoutNs)
    {
        if (poll())
        {
            return true;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        idleStrategy.reset();
        while (System.nanoTime() - deadline < 0)
        {
            if (poll())
            {
                return true;
            }
            if (Thread.currentThread().isInterrupted())
            {
                return false;
            }
            idleStrategy.idle();
        }
        return poll();
    }

    /** @return notifications ever sent to the local port (the shared sequence). */
    public long localSequence()
    {
        return ports.getLongAcquire(localOffset);
    }

    /** @return the idle strategy {@link #await(long)} uses (for an agent loop that idles on the same one). */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }
}

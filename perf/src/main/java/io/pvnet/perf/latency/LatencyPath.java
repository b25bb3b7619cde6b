package io.pvnet.perf.latency;

/**
 * A way for frames to go out and come back, timed by {@code ./pvnet latency}: for example a frontend ring whose
 * backend answers every request (path {@code ring}), or a vif through the switch and back.
 * <p>
 * Each frame carries two timestamps that the path returns unchanged: the time the sender <em>intended</em> to send it
 * (its slot in the fixed-rate schedule) and the time it actually went out. A path may also stamp the frame where it
 * crosses a stage boundary ({@link #stageNames()}), for {@code --breakdown}.
 * <p>
 * Threading: {@link #offer} and {@link #poll} are called from the one sender thread only; a path starts and stops any
 * threads of its own (the echoing side) in its constructor and {@link #close()}. Neither call may allocate, block or
 * throw: a full path refuses with {@code false} and the sender retries the same frame with its original intended time.
 * All timestamps are {@link System#nanoTime()} values (CLOCK_MONOTONIC, valid across threads and processes of one host).
 */
public interface LatencyPath extends AutoCloseable
{
    /** Receives the frames a path returns. */
    interface FrameReceiver
    {
        /**
         * One returned frame.
         *
         * @param intendedSendNs when the schedule said the frame should go out.
         * @param sendNs         when it was offered successfully.
         * @param stageNs        the path's stamps between send and return, one per inner stage boundary:
         *                       {@code stageNames().length - 1} values, valid only during this call.
         */
        void onFrame(long intendedSendNs, long sendNs, long[] stageNs);
    }

    /** @return the path's name, for example {@code ring}. */
    String name();

    /**
     * @return the stages a frame passes after it is sent, in order, for example {@code tx ring}, {@code backend},
     * {@code rx ring}; empty when the path does not stamp stage boundaries.
     */
    default String[] stageNames()
    {
        return new String[0];
    }

    /** @return whether frames of the chosen size travel the path; a ring of fixed slots carries none. */
    default boolean usesFrameSize()
    {
        return true;
    }

    /**
     * Sends one frame.
     *
     * @param intendedSendNs when the schedule said the frame should go out; returned with the frame.
     * @param sendNs         now; returned with the frame.
     * @return {@code true} when the frame went out, {@code false} when the path is full (back-pressure).
     */
    boolean offer(long intendedSendNs, long sendNs);

    /**
     * Takes the frames that have come back.
     *
     * @param receiver called once per returned frame, in order.
     * @return how many frames came back.
     */
    int poll(FrameReceiver receiver);

    /** Stops the path's own threads and frees what it holds. */
    @Override
    void close();
}

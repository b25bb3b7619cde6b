package io.pvnet.perf.latency;

/**
 * A path with no thread: an offered frame comes back at the next poll. Each offer costs {@code offerNs} and each poll
 * {@code pollNs} of the fake clock; the offer of frame number {@code stallAtFrame} costs {@code stallNs} (a stalled
 * path or sender); {@code refuseEvery} > 0 refuses every n-th offer attempt. Allocates nothing after construction.
 */
final class InstantEchoPath implements LatencyPath
{
    private final FakeClock clock;
    private final long[] intended = new long[1024];
    private final long[] sent = new long[1024];
    private final long[] stamps = new long[2];
    private final long offerNs;
    private final long pollNs;
    long stallAtFrame = -1;
    long stallNs;
    int refuseEvery;
    private long attempts;
    private long frames;
    private int queued;

    InstantEchoPath(final FakeClock clock, final long offerNs, final long pollNs)
    {
        this.clock = clock;
        this.offerNs = offerNs;
        this.pollNs = pollNs;
    }

    @Override
    public String name()
    {
        return "instant";
    }

    @Override
    public String[] stageNames()
    {
        return new String[] {"out", "turn", "back"};
    }

    @Override
    public boolean offer(final long intendedSendNs, final long sendNs)
    {
        attempts++;
        if ((refuseEvery > 0 && attempts % refuseEvery == 0) || queued == intended.length)
        {
            return false;
        }
        clock.advance(frames++ == stallAtFrame ? stallNs : offerNs);
        intended[queued] = intendedSendNs;
        sent[queued] = sendNs;
        queued++;
        return true;
    }

    @Override
    public int poll(final FrameReceiver receiver)
    {
        clock.advance(pollNs);
        final int count = queued;
        for (int i = 0; i < count; i++)
        {
            // stages: out = 10 ns after send, turn = 20 ns after that, back = the rest
            stamps[0] = sent[i] + 10;
            stamps[1] = sent[i] + 30;
            receiver.onFrame(intended[i], sent[i], stamps);
        }
        queued = 0;
        return count;
    }

    @Override
    public void close()
    {
    }
}

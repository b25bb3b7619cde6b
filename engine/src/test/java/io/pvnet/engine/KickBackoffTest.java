package io.pvnet.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The late-EOI rule of {@link KickBackoff} on a clock of its own: when a vif's kicks stop being heard, for how long. */
class KickBackoffTest
{
    private final List<String> calls = new ArrayList<>();
    private long spurious;
    private long backoffs;
    private final KickBackoff backoff = new KickBackoff(new KickBackoff.Listener()
    {
        @Override
        public boolean listen(final int bit, final boolean listen)
        {
            calls.add((listen ? "unmute " : "mute ") + bit);
            return true;
        }

        @Override
        public void spurious(final int bit, final boolean backoffStarted)
        {
            spurious++;
            backoffs += backoffStarted ? 1 : 0;
        }
    });
    private final int[] ended = new int[4];

    KickBackoffTest()
    {
        backoff.grow(4);
    }

    private boolean spuriousKick(final int bit, final long nowNs)
    {
        backoff.onKick(bit);
        return backoff.afterPoll(bit, 0, nowNs);
    }

    @Test
    void shouldToleratePollsWithoutWorkThatNoKickCausedAndKicksThatFindWork()
    {
        for (int i = 0; i < 1_000; i++)
        {
            assertFalse(backoff.afterPoll(0, 0, i)); // a housekeeping visit or a host raise: not a kick
            backoff.onKick(0);
            assertFalse(backoff.afterPoll(0, 1, i));
        }
        assertEquals(0, spurious);
        assertEquals(0, backoff.backingOff());
    }

    @Test
    void shouldBackOffAfterTheThresholdAndDoubleUpToTheCap()
    {
        for (int i = 1; i <= KickBackoff.THRESHOLD; i++)
        {
            assertFalse(spuriousKick(2, 0), "kick " + i + " is tolerated");
        }
        assertTrue(spuriousKick(2, 0));
        assertEquals(List.of("mute 2"), calls);
        assertEquals(KickBackoff.FIRST_BACKOFF_NS, backoff.nanosToNextEnd(0));
        assertEquals(0, backoff.expire(KickBackoff.FIRST_BACKOFF_NS - 1, ended));
        assertEquals(1, backoff.expire(KickBackoff.FIRST_BACKOFF_NS, ended));
        assertEquals(2, ended[0]);
        assertEquals(List.of("mute 2", "unmute 2"), calls);
        assertFalse(backoff.isBackingOff(2));

        // the unmuted eventfd reports itself once: not counted; every later spurious kick backs off twice as long
        final long before = spurious;
        assertFalse(spuriousKick(2, 0));
        assertEquals(before, spurious);
        long expected = KickBackoff.FIRST_BACKOFF_NS;
        long now = 1_000_000_000L;
        for (int i = 0; i < 20; i++)
        {
            expected = Math.min(KickBackoff.MAX_BACKOFF_NS, expected * 2);
            assertTrue(spuriousKick(2, now));
            assertEquals(expected, backoff.nanosToNextEnd(now), "backoff " + i);
            now += expected;
            assertEquals(1, backoff.expire(now, ended));
            backoff.afterPoll(2, 0, now); // the poll at the backoff's end: no work, no kick
            spuriousKick(2, now);        // the unmuted eventfd's own report
        }
        assertEquals(KickBackoff.MAX_BACKOFF_NS, expected);
        assertEquals(21, backoffs);
        assertEquals(KickBackoff.THRESHOLD + 1 + 20, spurious);
    }

    @Test
    void shouldEndTheBackoffAtOnceWhenAPollFindsWork()
    {
        for (int i = 0; i <= KickBackoff.THRESHOLD; i++)
        {
            spuriousKick(1, 0);
        }
        assertTrue(backoff.isBackingOff(1));
        assertTrue(backoff.nanosToNextEnd(0) > 0);
        assertFalse(backoff.afterPoll(1, 3, 10)); // e.g. frames delivered to the guest, or its housekeeping visit
        assertFalse(backoff.isBackingOff(1));
        assertEquals(0, backoff.backingOff());
        assertEquals(Long.MAX_VALUE, backoff.nanosToNextEnd(10));
        assertEquals(List.of("mute 1", "unmute 1"), calls);
        // the run starts afresh: THRESHOLD spurious kicks are tolerated again (after the unmuted fd's own report)
        spuriousKick(1, 20);
        for (int i = 1; i <= KickBackoff.THRESHOLD; i++)
        {
            assertFalse(spuriousKick(1, 20));
        }
        assertTrue(spuriousKick(1, 20));
    }

    @Test
    void shouldBackOffEachVifOnItsOwn()
    {
        for (int i = 0; i <= KickBackoff.THRESHOLD; i++)
        {
            spuriousKick(3, 0);
            backoff.onKick(0);
            backoff.afterPoll(0, i % 2, 0); // vif 0: every other kick finds work
        }
        assertTrue(backoff.isBackingOff(3));
        assertFalse(backoff.isBackingOff(0));
        assertEquals(1, backoff.backingOff());
    }
}

package io.pvnet.ring.event;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FutexTest
{
    private final MemorySegment word = Arena.ofAuto().allocate(64, 64);
    private final Futex.Waiter waiter = new Futex.Waiter();

    @BeforeEach
    void requireFutex()
    {
        assumeTrue(Futex.isAvailable(), "futex needs Linux on x86_64 or aarch64");
    }

    @Test
    void shouldPickSyscallNumberByArchitecture()
    {
        assertEquals(202, Futex.syscallNumber("Linux", "amd64"));
        assertEquals(202, Futex.syscallNumber("Linux", "x86_64"));
        assertEquals(98, Futex.syscallNumber("Linux", "aarch64"));
        assertEquals(-1, Futex.syscallNumber("Linux", "riscv64"));
        assertEquals(-1, Futex.syscallNumber("Mac OS X", "aarch64"));
    }

    @Test
    void shouldRefuseToSleepWhenWordChanged()
    {
        word.set(ValueLayout.JAVA_INT, 0, 5);
        assertEquals(Futex.EAGAIN, Futex.await(waiter, word.address(), 4, TimeUnit.SECONDS.toNanos(5)));
    }

    @Test
    void shouldTimeOutNeverEarly()
    {
        final long start = System.nanoTime();
        assertEquals(Futex.ETIMEDOUT, Futex.await(waiter, word.address(), 0, TimeUnit.MILLISECONDS.toNanos(20)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20));
    }

    @Test
    void shouldWakeOneWaiterAndReportIt() throws InterruptedException
    {
        final int[] result = {-1};
        final Thread thread = new Thread(() ->
            result[0] = Futex.await(new Futex.Waiter(), word.address(), 0, TimeUnit.SECONDS.toNanos(10)));
        thread.start();
        int woken = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (woken == 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
            woken = Futex.wake(word.address(), 1); // 0 until the thread is in the kernel
        }
        thread.join(5_000);
        assertEquals(1, woken);
        assertEquals(Futex.WOKEN, result[0]);
        assertEquals(0, Futex.wake(word.address(), 1), "nobody left to wake");
    }

    @Test
    void shouldSleepWithoutErrnoUntilWokenAndNotAtAllWhenTheWordChanged() throws InterruptedException
    {
        word.set(ValueLayout.JAVA_INT, 0, 5);
        final long refused = System.nanoTime();
        Futex.sleep(waiter, word.address(), 4, TimeUnit.SECONDS.toNanos(5));
        assertTrue(System.nanoTime() - refused < TimeUnit.SECONDS.toNanos(2), "the word differed: no sleep");
        final long start = System.nanoTime();
        Futex.sleep(waiter, word.address(), 5, TimeUnit.MILLISECONDS.toNanos(20));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20), "timed out, never early");
        final Thread thread = new Thread(() -> Futex.sleep(new Futex.Waiter(), word.address(), 5, TimeUnit.SECONDS.toNanos(10)));
        thread.start();
        int woken = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (woken == 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
            woken = Futex.wake(word.address(), 1);
        }
        thread.join(5_000);
        assertEquals(1, woken);
        assertFalse(thread.isAlive());
    }
}

package io.pvnet.engine.xnb;

import io.pvnet.engine.store.StoreValueScanner;

/**
 * Linux netback's credit scheduler for the backend's {@code rate} key ({@code tx_credit_exceeded},
 * {@code xenvif_tx_credit_callback}): {@code creditBytes} per {@code creditWindowNs}; at a window's end
 * {@code remaining = min(remaining + credit, max(131072, credit))}. Unlimited while no rate is set.
 * <p>
 * Threading: the owning queue's agent thread.
 */
final class CreditScheduler
{
    /** Linux's floor for the credit a window may accumulate (one 128 KiB burst). */
    private static final long MIN_BURST_BYTES = 131_072L;

    private long creditBytes;
    private long creditWindowNs;
    private long remainingCredit;
    private long nextCreditNs;

    /** @return when the current window ends and the credit is topped up (the duty cycle's clock). */
    long nextCreditNs()
    {
        return nextCreditNs;
    }

    /** @return whether a rate is in force. */
    boolean isLimited()
    {
        return creditBytes != 0;
    }

    /**
     * @param nowNs the duty cycle's clock.
     * @return whether {@code size} bytes may go now (and were taken from the credit).
     */
    boolean take(final int size, final long nowNs)
    {
        if (size > remainingCredit && nowNs - nextCreditNs >= 0)
        {
            remainingCredit = Math.min(remainingCredit + creditBytes, Math.max(MIN_BURST_BYTES, creditBytes));
            nextCreditNs = nowNs + creditWindowNs;
        }
        if (size > remainingCredit)
        {
            return false;
        }
        remainingCredit -= size;
        return true;
    }

    /**
     * Applies the {@code rate} key's value ("bytes,usec"; null, 0 or malformed = unlimited). An unchanged rate keeps
     * the current window. Store-change path.
     */
    void reload(final String rate, final long nowNs)
    {
        long bytes = 0;
        long usec = 0;
        if (rate != null)
        {
            final StoreValueScanner scanner = new StoreValueScanner().wrap(rate);
            if (scanner.scanUnsigned(4))
            {
                bytes = scanner.value();
                if (scanner.literal(",") && scanner.scanUnsigned(4) && scanner.atEnd())
                {
                    usec = scanner.value();
                }
            }
        }
        final long newCredit = bytes > 0 && usec > 0 ? bytes : 0;
        final long newWindowNs = usec * 1_000L;
        if (newCredit != creditBytes || newWindowNs != creditWindowNs)
        {
            creditBytes = newCredit;
            creditWindowNs = newWindowNs;
            remainingCredit = newCredit;
            nextCreditNs = nowNs + newWindowNs;
        }
    }
}

package io.pvnet.engine.control;

import java.io.Serial;

/**
 * The switch closed the control connection before it answered an attach: it was going away (a connection accepted just
 * before it stopped) or not yet serving. Unlike a refusal, another try may succeed, so a guest waiting for its switch
 * ({@code pvnet guest --wait}) tries again until its wait runs out.
 */
public final class AttachUnansweredException extends IllegalStateException
{
    @Serial
    private static final long serialVersionUID = 1L;

    /** The exception, with its one-line message. */
    public AttachUnansweredException()
    {
        super("the switch closed the connection without an answer");
    }
}

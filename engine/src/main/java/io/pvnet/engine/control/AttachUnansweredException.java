package io.pvnet.engine.control;

import java.io.Serial;

/**
 * The process serving the control socket (a switch, a bench process) closed the connection before it
 * answered an attach: it was going away (a connection accepted just before it stopped) or not yet serving; or it took
 * the connection and did not answer in time (stopped, wedged). Unlike a refusal, another try may succeed, so a guest
 * waiting for its switch ({@code pvnet guest --wait}) tries again until its wait runs out.
 */
public final class AttachUnansweredException extends IllegalStateException
{
    @Serial
    private static final long serialVersionUID = 1L;

    /** @param message the one-line message, naming the process ({@code the switch closed the connection ...}). */
    public AttachUnansweredException(final String message)
    {
        super(message);
    }
}

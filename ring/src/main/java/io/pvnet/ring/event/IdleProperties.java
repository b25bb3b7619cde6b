package io.pvnet.ring.event;

/**
 * Reads the {@code -Dpvnet.idle.*} system properties of this package strictly and safely: they are read in static
 * initializers, where an exception would make the class unusable, so a value that does not parse falls back to the
 * default with one line on stderr naming {@code property=value}, never a silent default and never an exception.
 * <p>
 * Threading: stateless; called at class initialization.
 */
final class IdleProperties
{
    private IdleProperties()
    {
    }

    /**
     * {@return the boolean property {@code name}: true unless set to {@code false} (any case), as documented for the
     * levers that are on by default (empty, {@code 1}, {@code on} or a typo keep it on)}
     * @param name the system property.
     */
    static boolean onUnlessFalse(final String name)
    {
        return !"false".equalsIgnoreCase(System.getProperty(name));
    }

    /**
     * {@return the property {@code name} as a number of at least 0, or {@code fallback} when unset; a value that is
     * not a whole number, or is negative, gives {@code fallback} and one stderr line}
     * @param name the system property.
     * @param fallback the default.
     */
    static long nonNegativeLong(final String name, final long fallback)
    {
        final String value = System.getProperty(name);
        if (value == null)
        {
            return fallback;
        }
        try
        {
            final long parsed = Long.parseLong(value.trim());
            if (parsed >= 0)
            {
                return parsed;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // reported below, as a negative value is
        }
        System.err.println("pvnet: " + name + "=" + value + " is not a whole number >= 0: using " + fallback);
        return fallback;
    }
}

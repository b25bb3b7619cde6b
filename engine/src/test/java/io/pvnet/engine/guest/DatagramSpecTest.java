package io.pvnet.engine.guest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link DatagramSpec}: which way a run's datagrams go (one home for the rule the client, the streams and TCP's spec
 * read), and the combinations it refuses.
 */
class DatagramSpecTest
{
    @Test
    void shouldTellWhetherTheGeneratorSendsAndWhetherThePeerSendsPerDirection()
    {
        assertEquals("true false", ways(DatagramSpec.Direction.FORWARD));
        assertEquals("false true", ways(DatagramSpec.Direction.REVERSE));
        assertEquals("true true", ways(DatagramSpec.Direction.BIDIR));
    }

    @Test
    void shouldRefuseAOneWayStreamThatIsNotSentOrTooShortForItsSequence()
    {
        assertThrows(IllegalArgumentException.class, () -> spec(DatagramSpec.Direction.REVERSE, 100, true));
        assertThrows(IllegalArgumentException.class, () -> spec(DatagramSpec.Direction.FORWARD,
            GenPayloadDescriptor.LENGTH - 1, true));
        assertEquals(true, spec(DatagramSpec.Direction.BIDIR, 100, true).reverse());
    }

    private static String ways(final DatagramSpec.Direction direction)
    {
        final DatagramSpec spec = spec(direction, 100, false);
        assertEquals(direction.sends(), spec.forward());
        assertEquals(direction.receives(), spec.reverse());
        return spec.forward() + " " + spec.reverse();
    }

    private static DatagramSpec spec(final DatagramSpec.Direction direction, final int size, final boolean oneWay)
    {
        return new DatagramSpec(false, StreamSource.PORT, SizeMix.of(size), 1, 0, 1_000_000_000L, 0, direction, 0, 0,
            64, oneWay);
    }
}

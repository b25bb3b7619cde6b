package io.pvnet.checksum;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class VectorChecksumTest extends InternetChecksumContractTest
{
    @Override
    InternetChecksum checksum()
    {
        final InternetChecksum vector = Checksums.vectorOrNull();
        assertNotNull(vector, "surefire runs with --add-modules jdk.incubator.vector");
        return vector;
    }

    @Test
    void shouldBeChosenAsBestWhenVectorsAreWide()
    {
        final int bits = ((VectorChecksum)checksum()).vectorBits();
        if (bits >= 256 && null == System.getProperty(Checksums.VARIANT_PROPERTY))
        {
            assertSame(checksum(), Checksums.best());
        }
        assertEquals("vector", Checksums.byName("vector").name());
    }
}

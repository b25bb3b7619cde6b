package io.pvnet.checksum;

class LongWordChecksumTest extends InternetChecksumContractTest
{
    @Override
    InternetChecksum checksum()
    {
        return Checksums.longWord();
    }
}

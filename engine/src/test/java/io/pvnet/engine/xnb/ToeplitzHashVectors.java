package io.pvnet.engine.xnb;

/** Microsoft's RSS verification key ("Verifying the RSS Hash Calculation"), shared by the engine's hash tests. */
final class ToeplitzHashVectors
{
    static final byte[] MICROSOFT_KEY = org.agrona.BitUtil.fromHex(
        "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa");

    private ToeplitzHashVectors()
    {
    }
}

package io.pvnet.ring.share;

import java.nio.file.Path;

/**
 * The other process of {@link ControlSocketCrossProcessTest}: connects to {@code args[0]}, adopts the memfd it is sent,
 * tries to pull it away ({@code ftruncate} to 0 and to twice its size), writes a marker, reports, then waits to be
 * killed.
 */
public final class SealedShareChild
{
    private SealedShareChild()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        try (ControlSocket socket = ControlSocket.connect(Path.of(args[0])))
        {
            final ControlSocket.Message message = socket.receive(1);
            final long length = Long.parseLong(new String(message.data(), java.nio.charset.StandardCharsets.US_ASCII));
            try (SealedMemory memory = SealedMemory.adopt(message.fds()[0], length))
            {
                final int shrink = LinuxCalls.truncate(memory.fd(), 0);
                final int grow = LinuxCalls.truncate(memory.fd(), 2 * length);
                memory.buffer().putLongVolatile(0, 0xCAFEL);
                System.out.println("shrink=" + shrink + " grow=" + grow + " cloexec=" + LinuxCalls.isCloseOnExec(memory.fd()));
                System.out.flush();
                Thread.sleep(60_000);
            }
        }
    }
}

package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.frame.FrameHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A TCP test's guests on one thread, as a {@link TrafficGenerator}'s poller: the server's vif (its frames to
 * {@code serverPath}, a test path in front of the server's stack, answered as {@link AnsweringPoll} takes them), the
 * chargen server's sends, and the client's vif (its frames to the client's stack, where gen's generator takes them).
 */
final class ServerAndClientGuests implements Agent
{
    private final AnsweringPoll answering = new AnsweringPoll();
    private final VifFrontend serverVif;
    private final FrameHandler serverPath;
    private final TcpChargenServer chargen;
    private final VifFrontend clientVif;
    private final GuestStack client;

    ServerAndClientGuests(final VifFrontend serverVif, final FrameHandler serverPath, final TcpChargenServer chargen,
        final VifFrontend clientVif, final GuestStack client)
    {
        this.serverVif = serverVif;
        this.serverPath = serverPath;
        this.chargen = chargen;
        this.clientVif = clientVif;
        this.client = client;
    }

    @Override
    public int doWork()
    {
        int work = serverVif.doWork();
        work += answering.poll(serverVif, serverPath, 64);
        work += chargen.doWork();
        serverVif.flush();
        work += clientVif.doWork();
        work += clientVif.poll(client, 64);
        clientVif.flush();
        return work;
    }

    @Override
    public String roleName()
    {
        return "guests";
    }

    /**
     * {@return a copy of the first {@code length} bytes of an IPv4 TCP segment's frame, addressed back to its sender: the
     * MACs, IPv4 addresses and TCP ports swapped (a test's forged answer; the guests check no TCP checksum)}
     * @param l4 where the TCP header starts, from {@code offset}.
     */
    static UnsafeBuffer answerTo(final DirectBuffer buffer, final int offset, final int length, final int l4)
    {
        final UnsafeBuffer answer = new UnsafeBuffer(new byte[length]);
        answer.putBytes(0, buffer, offset, length);
        for (int i = 0; i < 6; i++)
        {
            answer.putByte(i, buffer.getByte(offset + 6 + i));
            answer.putByte(6 + i, buffer.getByte(offset + i));
        }
        final int ip = EthernetHeader.LENGTH;
        answer.putInt(ip + 12, buffer.getInt(offset + ip + 16));
        answer.putInt(ip + 16, buffer.getInt(offset + ip + 12));
        TcpHeader.sourcePort(answer, l4, TcpHeader.destinationPort(buffer, offset + l4));
        TcpHeader.destinationPort(answer, l4, TcpHeader.sourcePort(buffer, offset + l4));
        return answer;
    }
}

package io.pvnet.ring.share;

/** The peer of a Unix-domain connection as the kernel saw it at {@code connect(2)} ({@code SO_PEERCRED}). */
public record PeerCredentials(int pid, int uid, int gid)
{
}

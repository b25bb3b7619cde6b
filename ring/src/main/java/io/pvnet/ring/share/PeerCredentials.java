package io.pvnet.ring.share;

/**
 * The peer of a Unix-domain connection as the kernel saw it at {@code connect(2)} ({@code SO_PEERCRED}).
 * @param pid the peer's process id (in this process's pid namespace).
 * @param uid the peer's effective user id.
 * @param gid the peer's effective group id.
 */
public record PeerCredentials(int pid, int uid, int gid)
{
}

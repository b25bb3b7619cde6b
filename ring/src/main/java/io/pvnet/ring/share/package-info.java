/**
 * Memory and descriptors shared with another process on the same host, as a guest in its own process needs them:
 * {@link io.pvnet.ring.share.SealedMemory} (a sealed memfd that the peer can neither shrink nor grow, so the host never
 * takes a SIGBUS), {@link io.pvnet.ring.share.ControlSocket} (a {@code SOCK_SEQPACKET} Unix socket passing descriptors
 * with {@code SCM_RIGHTS}, its peer's {@link io.pvnet.ring.share.PeerCredentials}), and the few raw Linux calls behind
 * them ({@link io.pvnet.ring.share.LinuxCalls}, failing with {@link io.pvnet.ring.share.LinuxException}). API: the
 * engine's guest control channel is built on it, and so can an embedder's. Linux only (x86_64, aarch64).
 */
package io.pvnet.ring.share;

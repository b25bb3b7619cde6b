/**
 * Internal: memory and descriptors shared with a guest in another process, as the engine's cross-process guest
 * connection ({@code pvnet switch} / {@code pvnet guest}, itself internal) needs them:
 * {@link io.pvnet.ring.share.SealedMemory} (a sealed memfd that the peer can neither shrink nor grow, so the host never
 * takes a SIGBUS), {@link io.pvnet.ring.share.ControlSocket} (a {@code SOCK_SEQPACKET} Unix socket passing descriptors
 * with {@code SCM_RIGHTS}, its peer's {@link io.pvnet.ring.share.PeerCredentials}), and the few raw Linux calls behind
 * them ({@link io.pvnet.ring.share.LinuxCalls}, failing with {@link io.pvnet.ring.share.LinuxException}). Linux only
 * (x86_64, aarch64). Documented for pvnet's own engineers, but not API: no javadoc is published for it and it changes
 * with the isolated-guest work; embedders share a region file instead ({@code docs/embedding.md}).
 */
package io.pvnet.ring.share;

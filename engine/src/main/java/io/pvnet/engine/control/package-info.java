/**
 * Internal: the control connection and per-guest memory behind {@code pvnet switch} and {@code pvnet guest} for
 * guests in other processes (a {@code SOCK_SEQPACKET} socket, {@code SO_PEERCRED} checks, a sealed memfd per guest,
 * the guest's mirror of its store keys). Its types carry the internal store ({@code io.pvnet.engine.store}) and
 * change with the isolated-guest work; embedders share a region file instead (see {@code docs/embedding.md}). No
 * javadoc is published for it.
 */
package io.pvnet.engine.control;

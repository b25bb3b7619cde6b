/**
 * pvnet engine, public API for embedders: {@link io.pvnet.engine.VifRegion}, {@link io.pvnet.engine.vif.VifConfig},
 * {@link io.pvnet.engine.VifBackend}, {@link io.pvnet.engine.VifFrontend}, their callbacks and counters.
 * <p>
 * API packages (documented, changed with care): this one, {@code vif}, {@code frame}, {@code offload}, {@code bridge},
 * {@code router}, {@code port} with {@code port.vif}, {@code port.tap}, {@code port.vxlan} and {@code port.pcap}, and
 * {@code guest}.
 * Internal packages (their package documentation starts with "Internal"; no javadoc is published for them, and they
 * change without notice): {@code xnb} and {@code netfront} (the two halves of a vif behind {@code VifBackend} and
 * {@code VifFrontend}), {@code netif} (Xen's ring layouts), {@code store} (the XenStore-like area) and {@code control}
 * (the cross-process guest connection behind {@code pvnet switch} / {@code pvnet guest}). See {@code engine/README.md}
 * and {@code docs/embedding.md}.
 */
package io.pvnet.engine;

import io.pvnet.engine.vif.VifConfig;

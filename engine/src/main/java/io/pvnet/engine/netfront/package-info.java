/**
 * Internal: the guest half of a vif ({@link io.pvnet.engine.netfront.Netfront}); embedders use {@code VifFrontend}, its public
 * facade in the package above, which depends on this one and not the other way round.
 */
package io.pvnet.engine.netfront;

/**
 * Internal: the guest half of a vif ({@link io.pvnet.engine.netfront.Netfront}); embedders use {@link io.pvnet.engine.VifFrontend}.
 */
package io.pvnet.engine.netfront;

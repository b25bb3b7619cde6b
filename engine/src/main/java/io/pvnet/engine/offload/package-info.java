/**
 * API: the software offload step where a peer cannot take offloaded frames ({@link io.pvnet.engine.offload.FrameOffload}):
 * between a vif and its guest, and at the bridge's egress ports; with the checksum module's implementation.
 */
package io.pvnet.engine.offload;

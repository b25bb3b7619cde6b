/**
 * The software offload step between a vif and a peer that cannot take offloaded frames ({@link io.pvnet.engine.offload.FrameOffload}), with the checksum module's implementation.
 */
package io.pvnet.engine.offload;

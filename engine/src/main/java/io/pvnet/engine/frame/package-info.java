/**
 * API: what travels between the halves of pvnet with a frame: the callbacks that hand frames on
 * ({@link io.pvnet.engine.frame.FrameSink} towards the switch, {@link io.pvnet.engine.frame.FrameHandler} to guest code),
 * the frame's metadata ({@link io.pvnet.engine.frame.FrameFlags}, the reusable
 * {@link io.pvnet.engine.frame.FrameMetadata}) and the one offload decision made on it
 * ({@link io.pvnet.engine.frame.OffloadPolicy}). The lowest layer of the engine: it depends on nothing else of it but
 * the netif constants.
 */
package io.pvnet.engine.frame;

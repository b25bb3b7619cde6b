/**
 * Event channels in shared memory ({@link io.pvnet.ring.event.EventChannel},
 * {@link io.pvnet.ring.event.EventChannelDescriptor}) and the configurable way to wait for them
 * ({@link io.pvnet.ring.event.IdleMode}).
 */
package io.pvnet.ring.event;

/**
 * Xen {@code ring.h} shared rings over Agrona buffers: {@link io.pvnet.ring.SharedRing} (geometry and header),
 * {@link io.pvnet.ring.FrontRing} (requests out, responses in), {@link io.pvnet.ring.BackRing} (requests in, responses
 * out), the two header layouts ({@link io.pvnet.ring.RingLayout}) and the data-path status codes
 * ({@link io.pvnet.ring.RingStatus}). Shared memory comes from {@link io.pvnet.ring.region}; grant copies from
 * {@link io.pvnet.ring.grant}; wake-ups from {@link io.pvnet.ring.event}. See {@code ring/README.md}.
 */
package io.pvnet.ring;

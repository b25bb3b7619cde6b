/**
 * Internal: one Descriptor class per layout of Xen's {@code public/io/netif.h} (tx/rx requests and responses, extra info) and its constants. Little-endian, accessed in place over Agrona buffers.
 */
package io.pvnet.engine.netif;

/**
 * Receive-side flow hashing as Xen's netif control ring and Linux's RSS define it: {@link
 * io.pvnet.checksum.hash.ToeplitzHash} (the keyed Toeplitz hash, table driven, with the bit-serial definition as its
 * oracle) and {@link io.pvnet.checksum.hash.FlowHash} (which bytes of a parsed frame are hashed for each enabled hash
 * type: IPv4/IPv6 addresses, with TCP ports). Used by the backend to answer a guest's hash configuration and to spread
 * frames over queues; usable by an embedder that must compute the same hash. Allocation-free after construction.
 */
package io.pvnet.checksum.hash;

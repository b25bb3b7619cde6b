/**
 * Xen-style grant tables in shared memory: {@link io.pvnet.ring.grant.GrantTable} (grant, revoke, grant copy with a
 * {@link io.pvnet.ring.grant.GrantStatus} per op) and its layout {@link io.pvnet.ring.grant.GrantTableDescriptor}.
 */
package io.pvnet.ring.grant;

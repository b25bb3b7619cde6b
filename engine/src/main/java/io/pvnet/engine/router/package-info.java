/**
 * API: routed mode, the alternative to the bridge. {@link io.pvnet.engine.router.Router} (an Agrona {@code Agent},
 * single-threaded) routes IPv4 and IPv6 between its ports, answers and proxies ARP/NDP, and resolves next hops; built
 * from a {@link io.pvnet.engine.router.RouterConfig}. Its static routes ({@link io.pvnet.engine.router.RouteTable}),
 * neighbour cache ({@link io.pvnet.engine.router.NeighbourTable}) and frames waiting for a next hop
 * ({@link io.pvnet.engine.router.PendingFrames}) are readable for monitoring and tests.
 */
package io.pvnet.engine.router;

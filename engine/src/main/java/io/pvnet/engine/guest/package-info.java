/**
 * API: a tiny host to put behind a vif frontend ({@link io.pvnet.engine.guest.GuestStack}: ARP, NDP, ping, UDP echo,
 * TCP discard) and the traffic generator behind {@code pvnet gen} ({@link io.pvnet.engine.guest.TrafficGenerator}).
 * Single-threaded: the thread that polls the frontend drives them.
 */
package io.pvnet.engine.guest;

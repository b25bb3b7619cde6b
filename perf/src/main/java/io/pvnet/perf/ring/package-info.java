/**
 * JMH benchmarks and bench scenarios of the shared ring and grant table, against Agrona's and JCTools' queues and a
 * plain ping-pong.
 * Internal: part of the pvnet application, not API (perf publishes no javadoc and promises no compatibility).
 */
package io.pvnet.perf.ring;

/**
 * Internal: the host half of a vif after FreeBSD's xnb(4) with Linux netback's limits, split along netback's seams:
 * the agent ({@link io.pvnet.engine.xnb.XnbAgent}) runs the XenBus handshake
 * ({@code XnbConnection}, {@code xenbus.c}) and one queue
 * ({@code XnbQueue}: rings and event channel) with its transmit half
 * ({@code XnbTx}, {@code netback.c}, rate-limited by {@code CreditScheduler})
 * and receive half ({@code XnbRx}, {@code rx.c}), all sharing one
 * {@code XnbVif} ({@code struct xenvif}). FreeBSD's packet-assembly functions
 * ({@link io.pvnet.engine.xnb.TxAssembler}, {@link io.pvnet.engine.xnb.RxAssembler}), drop reasons and the bounded rx
 * queue live beside them.
 */
package io.pvnet.engine.xnb;

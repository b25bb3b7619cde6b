/**
 * Internal: the host half of a vif after FreeBSD's xnb(4) with Linux netback's limits: the agent ({@link io.pvnet.engine.xnb.Xnb}), FreeBSD's packet-assembly functions ({@link io.pvnet.engine.xnb.TxAssembler}, {@link io.pvnet.engine.xnb.RxAssembler}), drop reasons and the bounded rx queue.
 */
package io.pvnet.engine.xnb;

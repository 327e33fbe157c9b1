// SPDX-License-Identifier: GPL-2.0
/* ofnic: module, PCI probe/remove, netdev operations, link, reconfiguration */

#include <linux/bitfield.h>
#include <linux/etherdevice.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <net/netdev_queues.h>
#include <net/udp_tunnel.h>

#include "ofnic.h"

static const struct pci_device_id ofnic_pci_tbl[] = {
	{ PCI_DEVICE(OFNIC_PCI_VENDOR_ID, OFNIC_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ofnic_pci_tbl);

void ofnic_update_link(struct ofnic_priv *priv)
{
	struct net_device *netdev = priv->netdev;
	u32 status;
	bool up;

	status = ofnic_rd32(priv, OFNIC_REG_STATUS);
	up = status & OFNIC_STATUS_LINK_UP;
	if (up == netif_carrier_ok(netdev))
		return;

	if (up) {
		netdev_info(netdev, "link up, %u Mbps, full duplex\n",
			    FIELD_GET(OFNIC_STATUS_SPEED_MASK, status) * 100);
		netif_carrier_on(netdev);
	} else {
		netdev_info(netdev, "link down\n");
		netif_carrier_off(netdev);
	}
}

/*
 * Restart the data path, at most once per OFNIC_RESET_INTERVAL: a device that keeps
 * reporting ring errors must not keep the driver restarting (nor flood the log).
 */
#define OFNIC_RESET_INTERVAL	HZ

void ofnic_schedule_reset(struct ofnic_priv *priv)
{
	unsigned long next = READ_ONCE(priv->reset_last) + OFNIC_RESET_INTERVAL;
	unsigned long now = jiffies;

	schedule_delayed_work(&priv->reset_task, time_after(next, now) ? next - now : 0);
}

/* ------------------------------------------------------------------------------------------
 * Bring-up and teardown of the data path
 */

static void ofnic_napi_start(struct ofnic_priv *priv)
{
	struct net_device *netdev = priv->netdev;
	struct ofnic_q_vector *qv;
	u16 i;

	for (i = 0; i < priv->num_queues; i++) {
		qv = &priv->qv[i];
		napi_enable(&qv->napi);
		netif_queue_set_napi(netdev, i, NETDEV_QUEUE_TYPE_RX, &qv->napi);
		netif_queue_set_napi(netdev, i, NETDEV_QUEUE_TYPE_TX, &qv->napi);
		ofnic_vec_arm(priv, qv->vec);
	}
}

static void ofnic_napi_stop(struct ofnic_priv *priv)
{
	struct net_device *netdev = priv->netdev;
	struct ofnic_q_vector *qv;
	u16 i;

	for (i = 0; i < priv->num_queues; i++) {
		qv = &priv->qv[i];
		synchronize_irq(qv->irq);
		netif_queue_set_napi(netdev, i, NETDEV_QUEUE_TYPE_RX, NULL);
		netif_queue_set_napi(netdev, i, NETDEV_QUEUE_TYPE_TX, NULL);
		napi_disable(&qv->napi);
	}
}

static int ofnic_queues_start(struct ofnic_priv *priv)
{
	struct ofnic_q_vector *qv;
	int err;
	u16 i;

	if (ofnic_fault(&priv->fail_up)) {
		netdev_err(priv->netdev, "bring-up failed (injected through debugfs)\n");
		return -ENOMEM;
	}
	for (i = 0; i < priv->num_queues; i++) {
		qv = &priv->qv[i];
		ofnic_hw_txq_enable(priv, &qv->tx, qv->vec);
		/* enabling resets HEAD and TAIL: post the buffers afterwards */
		ofnic_hw_rxq_enable(priv, &qv->rx, qv->vec);
		err = ofnic_rx_fill(&qv->rx, GFP_KERNEL);
		if (err) {
			netdev_err(priv->netdev, "cannot fill RX queue %u\n", i);
			return err;
		}
		ofnic_coal_apply(priv, i);
	}

	return 0;
}

/* Called under RTNL with the configuration in priv; on failure nothing is left allocated */
int ofnic_up(struct ofnic_priv *priv)
{
	struct net_device *netdev = priv->netdev;
	int err;

	ASSERT_RTNL();

	err = netif_set_real_num_queues(netdev, priv->num_queues, priv->num_queues);
	if (err)
		return err;

	err = ofnic_alloc_queues(priv);
	if (err)
		return err;

	err = ofnic_queue_irqs_request(priv);
	if (err)
		goto err_free_queues;

	err = ofnic_queues_start(priv);
	if (err)
		goto err_disable;

	/* The receive configuration, whole: the device may have been reset */
	ofnic_hw_set_mac(priv, netdev->dev_addr);
	ofnic_hw_set_max_frame(priv, netdev->mtu);
	if (priv->caps & (OFNIC_CAP_LRO | OFNIC_CAP_HW_GRO))
		ofnic_hw_set_rsc(priv);
	if (priv->caps & OFNIC_CAP_RX_VLAN_FILTER)
		ofnic_hw_vlan_write_all(priv);
	if (priv->caps & OFNIC_CAP_PAUSE)
		ofnic_wr32(priv, OFNIC_REG_FC_CTRL, priv->fc_ctrl);
	if (priv->caps & OFNIC_CAP_FEC)
		ofnic_wr32(priv, OFNIC_REG_FEC_CTRL, priv->fec_mode);
	ofnic_flow_program(priv);
	ofnic_hw_update_offload(priv, OFNIC_OFFLOAD_FEATURE_BITS | OFNIC_OFFLOAD_RSS,
				ofnic_offload_bits(netdev->features) |
				(priv->caps & OFNIC_CAP_RSS ? OFNIC_OFFLOAD_RSS : 0));
	netif_addr_lock_bh(netdev);
	ofnic_hw_set_rx_mode(priv);
	netif_addr_unlock_bh(netdev);

	ofnic_wr32(priv, OFNIC_REG_CTRL, OFNIC_CTRL_ENABLE);

	ofnic_napi_start(priv);
	ofnic_refill_enable(priv, true);
	/* wake, not start: after a reconfiguration the qdiscs may hold packets */
	netif_tx_wake_all_queues(netdev);
	priv->up = true;
	ofnic_update_link(priv);

	return 0;

err_disable:
	ofnic_hw_queues_disable(priv, priv->num_queues);
	ofnic_queue_irqs_free(priv);
err_free_queues:
	ofnic_free_queues(priv);
	return err;
}

void ofnic_down(struct ofnic_priv *priv)
{
	ASSERT_RTNL();

	if (!priv->up)
		return;
	priv->up = false;

	/*
	 * NAPI first (after the refill works, which hold it off): its TX completions wake
	 * queues, and a queue woken after netif_tx_disable() would let the stack transmit
	 * into rings being freed.
	 */
	ofnic_refill_enable(priv, false);
	ofnic_napi_stop(priv);
	netif_tx_disable(priv->netdev);
	ofnic_hw_queues_disable(priv, priv->num_queues);
	ofnic_queue_irqs_free(priv);
	ofnic_free_queues(priv);
}

/*
 * Apply a new queue count or ring sizes. While running this is a close/reopen; if the
 * new configuration cannot be brought up, the previous one is restored.
 */
int ofnic_reconfigure(struct ofnic_priv *priv, u16 num_queues, u32 tx_ring_size,
		      u32 rx_ring_size)
{
	bool running = netif_running(priv->netdev);
	u16 old_queues = priv->num_queues;
	u32 old_tx = priv->tx_ring_size;
	u32 old_rx = priv->rx_ring_size;
	int err;

	ASSERT_RTNL();

	/* down with the configuration the rings were built with; no watchdog meanwhile */
	if (running) {
		netif_device_detach(priv->netdev);
		ofnic_down(priv);
	}

	priv->num_queues = num_queues;
	priv->tx_ring_size = tx_ring_size;
	priv->rx_ring_size = rx_ring_size;
	if (num_queues != old_queues)
		ofnic_rss_respread(priv);

	if (!running)
		return 0;

	err = ofnic_up(priv);
	if (!err)
		goto out;

	netdev_warn(priv->netdev, "reconfiguration failed (%d), restoring the previous one\n",
		    err);
	priv->num_queues = old_queues;
	priv->tx_ring_size = old_tx;
	priv->rx_ring_size = old_rx;
	if (num_queues != old_queues)
		ofnic_rss_respread(priv);
	if (ofnic_up(priv)) {
		netdev_err(priv->netdev, "cannot restore the previous configuration, closing\n");
		netif_device_attach(priv->netdev);
		dev_close(priv->netdev);
		return err;
	}
out:
	netif_device_attach(priv->netdev);
	return err;
}

/* Under RTNL with the rings up: what the watchdog saw, now that the rings cannot go away */
static void ofnic_report_tx_timeout(struct ofnic_priv *priv)
{
	unsigned int q = xchg(&priv->tx_timeout_queue, UINT_MAX);
	struct ofnic_ring *ring;

	if (q >= priv->num_queues || !priv->up)
		return;
	ring = &priv->qv[q].tx;
	netdev_err(priv->netdev, "TX queue %u timed out: head %u tail %u, device head %u ctrl %#x\n",
		   q, READ_ONCE(ring->head), READ_ONCE(ring->tail),
		   ofnic_rd32(priv, OFNIC_TXQ(q) + OFNIC_Q_HEAD),
		   ofnic_rd32(priv, OFNIC_TXQ(q) + OFNIC_Q_CTRL));
}

static void ofnic_reset_task(struct work_struct *work)
{
	struct ofnic_priv *priv = container_of(work, struct ofnic_priv, reset_task.work);
	int err;

	WRITE_ONCE(priv->reset_last, jiffies);
	rtnl_lock();
	/* detached: PCIe error recovery owns the device until its resume */
	if (netif_running(priv->netdev) && netif_device_present(priv->netdev)) {
		ofnic_report_tx_timeout(priv);
		netdev_warn(priv->netdev, "restarting the queues\n");
		netif_device_detach(priv->netdev);
		ofnic_down(priv);
		err = ofnic_up(priv);
		netif_device_attach(priv->netdev);
		if (err) {
			netdev_err(priv->netdev, "restart failed: %d\n", err);
			dev_close(priv->netdev);
		}
	}
	rtnl_unlock();
}

/* ------------------------------------------------------------------------------------------
 * netdev operations
 */

static int ofnic_open(struct net_device *netdev)
{
	return ofnic_up(netdev_priv(netdev));
}

static int ofnic_stop(struct net_device *netdev)
{
	ofnic_down(netdev_priv(netdev));

	return 0;
}

/*
 * The driver's counters and the device's drops, from the cache the service task refreshes
 * (this may run in atomic context). Per-queue counters of every device queue, so that the
 * totals do not shrink with the queue count.
 */
static void ofnic_get_stats64(struct net_device *netdev, struct rtnl_link_stats64 *stats)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	struct ofnic_tx_cmpl_stats txc;
	struct ofnic_tx_xmit_stats txx;
	struct ofnic_rx_stats rx;
	u64 hw[OFNIC_GSTAT_NUM];
	u64 hwq[OFNIC_QSTAT_NUM];
	u16 q;

	for (q = 0; q < priv->hw_queues; q++) {
		ofnic_tx_cmpl_stats_get(&priv->qstats[q], &txc);
		ofnic_tx_xmit_stats_get(&priv->qstats[q], &txx);
		ofnic_rx_stats_get(&priv->qstats[q], &rx);
		ofnic_hw_stats_read(priv, hwq, ofnic_hw_qstat_idx(q, 0), OFNIC_QSTAT_NUM);

		stats->tx_packets += txc.packets;
		stats->tx_bytes += txc.bytes;
		stats->tx_dropped += txx.drops + hwq[OFNIC_QSTAT_TX_DROPS];
		stats->rx_packets += rx.packets;
		stats->rx_bytes += rx.bytes;
		/* frames the device had no buffer for are missed, not dropped (if_link.h) */
		stats->rx_missed_errors += hwq[OFNIC_QSTAT_RX_NO_BUF_DROPS];
		stats->rx_dropped += rx.drops + hwq[OFNIC_QSTAT_RX_DROPS] -
				     hwq[OFNIC_QSTAT_RX_NO_BUF_DROPS];
		stats->rx_errors += rx.bad_cmpl;
	}

	ofnic_hw_stats_read(priv, hw, 0, OFNIC_GSTAT_NUM);
	stats->multicast = hw[OFNIC_GSTAT_RX_MULTICAST];
	/* frames the MAC refused before choosing a queue: outside 14..MAX_FRAME bytes */
	stats->rx_length_errors = hw[OFNIC_GSTAT_RX_DROP_SIZE];
	stats->rx_errors += stats->rx_length_errors;
	/* requests the device refused as malformed, and frames sent while the link was down */
	stats->tx_carrier_errors = hw[OFNIC_GSTAT_TX_DROP_LINK];
	stats->tx_errors = hw[OFNIC_GSTAT_TX_DROP_DESC] + hw[OFNIC_GSTAT_TX_DROP_HDR] +
			   hw[OFNIC_GSTAT_TX_DROP_MSS] + hw[OFNIC_GSTAT_TX_DROP_LEN] +
			   hw[OFNIC_GSTAT_TX_DROP_UNSUPP] + hw[OFNIC_GSTAT_TX_DROP_DMA] +
			   stats->tx_carrier_errors;
}

/*
 * Queue statistics (netdev qstats): the driver's counters of each queue, and the device's
 * drop counter. Counters live per device queue and survive queue count changes; the base
 * holds the queues that are not in use, so that base and queues add up to ndo_get_stats64.
 */
static void ofnic_rx_qstats_add(struct ofnic_priv *priv, u16 q, struct netdev_queue_stats_rx *rx)
{
	struct ofnic_rx_stats v;
	u64 hw_drops;

	ofnic_rx_stats_get(&priv->qstats[q], &v);
	ofnic_hw_stats_read(priv, &hw_drops, ofnic_hw_qstat_idx(q, OFNIC_QSTAT_RX_DROPS), 1);
	rx->packets += v.packets;
	rx->bytes += v.bytes;
	rx->alloc_fail += v.alloc_fail;
	rx->hw_drops += hw_drops;
	rx->csum_unnecessary += v.csum_ok;
	rx->csum_none += v.csum_none;
	rx->csum_bad += v.csum_bad;
	rx->hw_gro_packets += v.gro_pkts;
	rx->hw_gro_bytes += v.gro_bytes;
	rx->hw_gro_wire_packets += v.gro_wire_pkts;
	rx->hw_gro_wire_bytes += v.gro_wire_bytes;
}

static void ofnic_tx_qstats_add(struct ofnic_priv *priv, u16 q, struct netdev_queue_stats_tx *tx)
{
	struct ofnic_tx_cmpl_stats c;
	struct ofnic_tx_xmit_stats x;
	u64 hw_drops;

	ofnic_tx_cmpl_stats_get(&priv->qstats[q], &c);
	ofnic_tx_xmit_stats_get(&priv->qstats[q], &x);
	ofnic_hw_stats_read(priv, &hw_drops, ofnic_hw_qstat_idx(q, OFNIC_QSTAT_TX_DROPS), 1);
	tx->packets += c.packets;
	tx->bytes += c.bytes;
	tx->wake += c.wakes;
	tx->hw_drops += hw_drops;
	tx->stop += x.stops;
	tx->needs_csum += x.needs_csum;
	tx->hw_gso_packets += x.gso_pkts;
	tx->hw_gso_bytes += x.gso_bytes;
	tx->hw_gso_wire_packets += x.gso_wire_pkts;
	tx->hw_gso_wire_bytes += x.gso_wire_bytes;
}

static void ofnic_rx_qstats_zero(struct netdev_queue_stats_rx *rx)
{
	rx->packets = 0;
	rx->bytes = 0;
	rx->alloc_fail = 0;
	rx->hw_drops = 0;
	rx->csum_unnecessary = 0;
	rx->csum_none = 0;
	rx->csum_bad = 0;
	rx->hw_gro_packets = 0;
	rx->hw_gro_bytes = 0;
	rx->hw_gro_wire_packets = 0;
	rx->hw_gro_wire_bytes = 0;
}

static void ofnic_tx_qstats_zero(struct netdev_queue_stats_tx *tx)
{
	tx->packets = 0;
	tx->bytes = 0;
	tx->wake = 0;
	tx->hw_drops = 0;
	tx->stop = 0;
	tx->needs_csum = 0;
	tx->hw_gso_packets = 0;
	tx->hw_gso_bytes = 0;
	tx->hw_gso_wire_packets = 0;
	tx->hw_gso_wire_bytes = 0;
}

/* One dump serves the queues of a request: the device's drops are at most that old */
static void ofnic_get_queue_stats_rx(struct net_device *netdev, int idx,
				     struct netdev_queue_stats_rx *rx)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	ofnic_hw_stats_refresh(priv, OFNIC_QSTATS_MAX_AGE);
	ofnic_rx_qstats_zero(rx);
	ofnic_rx_qstats_add(priv, idx, rx);
}

static void ofnic_get_queue_stats_tx(struct net_device *netdev, int idx,
				     struct netdev_queue_stats_tx *tx)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	ofnic_hw_stats_refresh(priv, OFNIC_QSTATS_MAX_AGE);
	ofnic_tx_qstats_zero(tx);
	ofnic_tx_qstats_add(priv, idx, tx);
}

static void ofnic_get_base_stats(struct net_device *netdev, struct netdev_queue_stats_rx *rx,
				 struct netdev_queue_stats_tx *tx)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	unsigned int q;

	ofnic_hw_stats_refresh(priv, OFNIC_QSTATS_MAX_AGE);
	ofnic_rx_qstats_zero(rx);
	ofnic_tx_qstats_zero(tx);
	for (q = netdev->real_num_rx_queues; q < priv->hw_queues; q++)
		ofnic_rx_qstats_add(priv, q, rx);
	for (q = netdev->real_num_tx_queues; q < priv->hw_queues; q++)
		ofnic_tx_qstats_add(priv, q, tx);
}

static const struct netdev_stat_ops ofnic_stat_ops = {
	.get_queue_stats_rx	= ofnic_get_queue_stats_rx,
	.get_queue_stats_tx	= ofnic_get_queue_stats_tx,
	.get_base_stats		= ofnic_get_base_stats,
};

static int ofnic_set_mac_address(struct net_device *netdev, void *p)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	int err;

	err = eth_mac_addr(netdev, p);
	if (err)
		return err;

	ofnic_hw_set_mac(priv, netdev->dev_addr);

	return 0;
}

/* The RX buffer layout does not depend on the MTU: only the frame limit changes */
static int ofnic_change_mtu(struct net_device *netdev, int new_mtu)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	WRITE_ONCE(netdev->mtu, new_mtu);
	if (netif_running(netdev))
		ofnic_hw_set_max_frame(priv, new_mtu);

	return 0;
}

static void ofnic_set_rx_mode(struct net_device *netdev)
{
	ofnic_hw_set_rx_mode(netdev_priv(netdev));
}

/* The watchdog's timer: no ring may be looked at here (a reconfiguration may free them) */
static void ofnic_tx_timeout(struct net_device *netdev, unsigned int txqueue)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	WRITE_ONCE(priv->tx_timeout_queue, txqueue);
	ofnic_schedule_reset(priv);
}

static const struct net_device_ops ofnic_netdev_ops = {
	.ndo_open		= ofnic_open,
	.ndo_stop		= ofnic_stop,
	.ndo_start_xmit		= ofnic_start_xmit,
	.ndo_features_check	= ofnic_features_check,
	.ndo_fix_features	= ofnic_fix_features,
	.ndo_set_features	= ofnic_set_features_hw,
	.ndo_get_stats64	= ofnic_get_stats64,
	.ndo_set_mac_address	= ofnic_set_mac_address,
	.ndo_change_mtu		= ofnic_change_mtu,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_set_rx_mode	= ofnic_set_rx_mode,
	.ndo_vlan_rx_add_vid	= ofnic_vlan_rx_add_vid,
	.ndo_vlan_rx_kill_vid	= ofnic_vlan_rx_kill_vid,
	.ndo_tx_timeout		= ofnic_tx_timeout,
};

/* ------------------------------------------------------------------------------------------
 * PCI
 */

static int ofnic_check_device(struct pci_dev *pdev, u8 __iomem *regs)
{
	u32 id, version, queues;

	id = readl(regs + OFNIC_REG_ID);
	if (id != OFNIC_ID_MAGIC) {
		dev_err(&pdev->dev, "not an ofnic device (ID %#x, expected %#x)\n",
			id, OFNIC_ID_MAGIC);
		return -ENODEV;
	}

	version = readl(regs + OFNIC_REG_VERSION);
	if (FIELD_GET(OFNIC_VERSION_MAJOR_MASK, version) != OFNIC_VERSION_MAJOR) {
		dev_err(&pdev->dev, "unsupported device version %u.%u, driver supports %u.x\n",
			FIELD_GET(OFNIC_VERSION_MAJOR_MASK, version),
			FIELD_GET(OFNIC_VERSION_MINOR_MASK, version), OFNIC_VERSION_MAJOR);
		return -ENODEV;
	}

	queues = readl(regs + OFNIC_REG_QUEUES);
	if (!queues || queues > OFNIC_MAX_QUEUES) {
		dev_err(&pdev->dev, "device reports %u queues\n", queues);
		return -ENODEV;
	}

	return 0;
}

static void ofnic_read_caps(struct ofnic_priv *priv)
{
	struct device *dev = &priv->pdev->dev;
	u32 mtu_max;

	priv->version = ofnic_rd32(priv, OFNIC_REG_VERSION);
	priv->rxc_lro = FIELD_GET(OFNIC_VERSION_MINOR_MASK, priv->version) >= 2;
	priv->caps = ofnic_rd32(priv, OFNIC_REG_CAP_LO) |
		     (u64)ofnic_rd32(priv, OFNIC_REG_CAP_HI) << 32;
	/* RS-FEC, as 25G and faster links run; flow control stays off until asked for */
	priv->fec_mode = priv->caps & OFNIC_CAP_FEC ? OFNIC_FEC_RS : OFNIC_FEC_OFF;

	priv->ring_max = ofnic_rd32(priv, OFNIC_REG_RING_MAX);
	if (priv->ring_max < OFNIC_RING_MIN || !is_power_of_2(priv->ring_max) ||
	    priv->ring_max > OFNIC_RING_MAX) {
		dev_warn(dev, "device reports ring max %u, using %u\n", priv->ring_max,
			 OFNIC_RING_MIN);
		priv->ring_max = priv->ring_max > OFNIC_RING_MAX ? OFNIC_RING_MAX :
				 OFNIC_RING_MIN;
	}

	mtu_max = ofnic_rd32(priv, OFNIC_REG_MTU_MAX);
	if (mtu_max < ETH_MIN_MTU || mtu_max > OFNIC_MAX_MTU) {
		dev_warn(dev, "device reports MTU max %u, using %u\n", mtu_max, ETH_DATA_LEN);
		mtu_max = ETH_DATA_LEN;
	}
	priv->netdev->max_mtu = mtu_max;
	priv->netdev->min_mtu = ETH_MIN_MTU;
}

static void ofnic_set_mac_from_device(struct ofnic_priv *priv)
{
	u8 addr[ETH_ALEN];
	u32 lo, hi;

	lo = ofnic_rd32(priv, OFNIC_REG_PERM_MAC_LO);
	hi = ofnic_rd32(priv, OFNIC_REG_PERM_MAC_HI);
	addr[0] = lo;
	addr[1] = lo >> 8;
	addr[2] = lo >> 16;
	addr[3] = lo >> 24;
	addr[4] = hi;
	addr[5] = hi >> 8;

	if (is_valid_ether_addr(addr)) {
		eth_hw_addr_set(priv->netdev, addr);
	} else {
		eth_hw_addr_random(priv->netdev);
		dev_warn(&priv->pdev->dev, "invalid permanent MAC %pM, using random %pM\n",
			 addr, priv->netdev->dev_addr);
	}
}

static void ofnic_netdev_setup(struct ofnic_priv *priv)
{
	struct net_device *netdev = priv->netdev;

	netdev->netdev_ops = &ofnic_netdev_ops;
	netdev->stat_ops = &ofnic_stat_ops;
	ofnic_set_ethtool_ops(netdev);
	netdev->watchdog_timeo = 5 * HZ;
	netdev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	/* queue i's interrupt on one CPU (spread), as the user leaves or sets it across
	 * ethtool -L and down/up: the core keeps it in the NAPI config
	 */
	netif_set_affinity_auto(netdev);

	ofnic_set_features(priv);
	ofnic_tunnel_init(priv);
}

static int ofnic_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct net_device *netdev;
	struct ofnic_priv *priv;
	u8 __iomem *regs;
	u32 queues;
	int err;
	u16 q;

	err = pcim_enable_device(pdev);
	if (err)
		return dev_err_probe(&pdev->dev, err, "cannot enable PCI device\n");

	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err)
		return dev_err_probe(&pdev->dev, err, "no usable 64-bit DMA\n");

	if (pci_resource_len(pdev, OFNIC_BAR_REGS) < OFNIC_BAR_REGS_SIZE)
		return dev_err_probe(&pdev->dev, -ENODEV, "BAR%d too small\n", OFNIC_BAR_REGS);

	regs = pcim_iomap_region(pdev, OFNIC_BAR_REGS, OFNIC_DRV_NAME);
	if (IS_ERR(regs))
		return dev_err_probe(&pdev->dev, PTR_ERR(regs), "cannot map BAR%d\n",
				     OFNIC_BAR_REGS);

	err = ofnic_check_device(pdev, regs);
	if (err)
		return err;
	queues = readl(regs + OFNIC_REG_QUEUES);

	pci_set_master(pdev);
	/* what PCIe error recovery restores after a reset of the link */
	pci_save_state(pdev);

	netdev = devm_alloc_etherdev_mqs(&pdev->dev, sizeof(*priv), queues, queues);
	if (!netdev)
		return -ENOMEM;
	SET_NETDEV_DEV(netdev, &pdev->dev);

	priv = netdev_priv(netdev);
	priv->netdev = netdev;
	priv->pdev = pdev;
	priv->regs = regs;
	priv->hw_queues = queues;
	spin_lock_init(&priv->offload_lock);
	err = devm_mutex_init(&pdev->dev, &priv->stats_lock);
	if (err)
		return err;
	INIT_DELAYED_WORK(&priv->reset_task, ofnic_reset_task);
	priv->reset_last = jiffies - OFNIC_RESET_INTERVAL;
	priv->tx_timeout_queue = UINT_MAX;
	spin_lock_init(&priv->refill_lock);
	pci_set_drvdata(pdev, priv);

	err = ofnic_hw_reset(priv);
	if (err)
		return err;

	ofnic_read_caps(priv);

	priv->qstats = devm_kcalloc(&pdev->dev, queues, sizeof(*priv->qstats), GFP_KERNEL);
	if (!priv->qstats)
		return -ENOMEM;
	for (q = 0; q < queues; q++) {
		u64_stats_init(&priv->qstats[q].tx_cmpl_sync);
		u64_stats_init(&priv->qstats[q].tx_xmit_sync);
		u64_stats_init(&priv->qstats[q].rx_sync);
	}

	priv->hw_stats = dmam_alloc_coherent(&pdev->dev, OFNIC_STATS_SIZE(queues),
					     &priv->hw_stats_dma, GFP_KERNEL);
	if (!priv->hw_stats)
		return -ENOMEM;
	priv->hw_cache = devm_kzalloc(&pdev->dev, OFNIC_STATS_SIZE(queues), GFP_KERNEL);
	priv->hw_base = devm_kzalloc(&pdev->dev, OFNIC_STATS_SIZE(queues), GFP_KERNEL);
	if (!priv->hw_cache || !priv->hw_base)
		return -ENOMEM;
	u64_stats_init(&priv->hw_cache_sync);
	INIT_DELAYED_WORK(&priv->service_task, ofnic_service_task);

	ofnic_set_mac_from_device(priv);
	ofnic_hw_set_mac(priv, netdev->dev_addr);

	err = ofnic_irq_init(priv);
	if (err)
		return err;

	priv->num_queues = min_t(u16, priv->max_queues, netif_get_num_default_rss_queues());
	priv->tx_ring_size = min_t(u32, OFNIC_DEFAULT_TX_RING, priv->ring_max);
	priv->rx_ring_size = min_t(u32, OFNIC_DEFAULT_RX_RING, priv->ring_max);
	ofnic_rss_init(priv);
	/* priority-tagged frames pass the VLAN filter */
	set_bit(0, priv->active_vlans);
	for (q = 0; q < queues; q++) {
		priv->rx_coal[q].usecs = OFNIC_DEFAULT_RX_USECS;
		priv->tx_coal[q].usecs = OFNIC_DEFAULT_TX_USECS;
	}

	ofnic_netdev_setup(priv);

	err = ofnic_misc_irq_request(priv);
	if (err)
		goto err_irq_fini;

	netif_carrier_off(netdev);
	err = register_netdev(netdev);
	if (err) {
		dev_err(&pdev->dev, "cannot register netdev: %d\n", err);
		goto err_misc_free;
	}
	ofnic_features_registered(priv);
	ofnic_update_link(priv);
	ofnic_debugfs_add(priv);
	schedule_delayed_work(&priv->service_task, 0);

	netdev_info(netdev, "ofnic %u.%u at %s, %pM, %u queue pairs (%u usable), caps %#llx\n",
		    FIELD_GET(OFNIC_VERSION_MAJOR_MASK, priv->version),
		    FIELD_GET(OFNIC_VERSION_MINOR_MASK, priv->version), pci_name(pdev),
		    netdev->dev_addr, priv->hw_queues, priv->max_queues, priv->caps);

	return 0;

err_misc_free:
	ofnic_misc_irq_free(priv);
	cancel_delayed_work_sync(&priv->reset_task);
err_irq_fini:
	ofnic_irq_fini(priv);
	ofnic_hw_reset(priv);
	return err;
}

static void ofnic_remove(struct pci_dev *pdev)
{
	struct ofnic_priv *priv = pci_get_drvdata(pdev);

	ofnic_debugfs_remove(priv);
	unregister_netdev(priv->netdev);
	cancel_delayed_work_sync(&priv->service_task);
	ofnic_misc_irq_free(priv);
	cancel_delayed_work_sync(&priv->reset_task);
	ofnic_irq_fini(priv);
	/* stop all DMA (statistics included) before the managed memory is released */
	ofnic_hw_reset(priv);
}

/*
 * Reboot, kexec or power-off: no DMA or interrupt from here on, or the next kernel (kexec)
 * finds its memory written by rings it does not know of.
 */
static void ofnic_shutdown(struct pci_dev *pdev)
{
	struct ofnic_priv *priv = pci_get_drvdata(pdev);

	rtnl_lock();
	netif_device_detach(priv->netdev);
	if (netif_running(priv->netdev))
		ofnic_down(priv);
	rtnl_unlock();
	cancel_delayed_work_sync(&priv->service_task);
	cancel_delayed_work_sync(&priv->reset_task);
	ofnic_hw_reset(priv);
	pci_clear_master(pdev);
	if (system_state == SYSTEM_POWER_OFF)
		pci_set_power_state(pdev, PCI_D3hot);
}

/* ------------------------------------------------------------------------------------------
 * PCIe error recovery (AER; Documentation/PCI/pci-error-recovery.rst): stop on the error,
 * reset the device, bring the configuration back into it and resume.
 */

static pci_ers_result_t ofnic_io_error_detected(struct pci_dev *pdev, pci_channel_state_t state)
{
	struct ofnic_priv *priv = pci_get_drvdata(pdev);
	struct net_device *netdev = priv->netdev;

	netdev_warn(netdev, "PCIe error (%s): stopping\n",
		    state == pci_channel_io_normal ? "non-fatal" :
		    state == pci_channel_io_frozen ? "fatal, link reset" : "permanent failure");
	rtnl_lock();
	netif_device_detach(netdev);
	if (netif_running(netdev))
		ofnic_down(priv);
	rtnl_unlock();
	cancel_delayed_work_sync(&priv->service_task);
	cancel_delayed_work_sync(&priv->reset_task);
	if (state == pci_channel_io_perm_failure)
		return PCI_ERS_RESULT_DISCONNECT;
	/* the device still answers: keep what it counted since the last dump */
	if (state == pci_channel_io_normal)
		ofnic_hw_stats_refresh(priv, 0);

	return PCI_ERS_RESULT_NEED_RESET;
}

/* After the link reset (fatal errors) or none (non-fatal): the device is reset here */
static pci_ers_result_t ofnic_io_slot_reset(struct pci_dev *pdev)
{
	struct ofnic_priv *priv = pci_get_drvdata(pdev);

	pci_restore_state(pdev);
	pci_save_state(pdev);
	pci_set_master(pdev);
	if (ofnic_check_device(pdev, priv->regs) || ofnic_hw_reset(priv)) {
		dev_err(&pdev->dev, "device did not come back after the PCIe error\n");
		return PCI_ERS_RESULT_DISCONNECT;
	}
	ofnic_hw_stats_rebase(priv);
	ofnic_hw_set_mac(priv, priv->netdev->dev_addr);
	ofnic_misc_irq_enable(priv);

	return PCI_ERS_RESULT_RECOVERED;
}

static void ofnic_io_resume(struct pci_dev *pdev)
{
	struct ofnic_priv *priv = pci_get_drvdata(pdev);
	struct net_device *netdev = priv->netdev;
	int err = 0;

	rtnl_lock();
	/* the device's tunnel port table was emptied: have the core write it again */
	if (netdev->udp_tunnel_nic_info)
		udp_tunnel_nic_reset_ntf(netdev);
	if (netif_running(netdev))
		err = ofnic_up(priv);
	netif_device_attach(netdev);
	if (err) {
		netdev_err(netdev, "cannot bring the interface up after the PCIe error: %d\n", err);
		dev_close(netdev);
	} else {
		netdev_info(netdev, "recovered from the PCIe error\n");
	}
	ofnic_update_link(priv);
	rtnl_unlock();
	schedule_delayed_work(&priv->service_task, 0);
}

static const struct pci_error_handlers ofnic_err_handlers = {
	.error_detected	= ofnic_io_error_detected,
	.slot_reset	= ofnic_io_slot_reset,
	.resume		= ofnic_io_resume,
};

static struct pci_driver ofnic_pci_driver = {
	.name		= OFNIC_DRV_NAME,
	.id_table	= ofnic_pci_tbl,
	.probe		= ofnic_probe,
	.remove		= ofnic_remove,
	.shutdown	= ofnic_shutdown,
	.err_handler	= &ofnic_err_handlers,
};

static int __init ofnic_init(void)
{
	int err;

	ofnic_debugfs_init();
	err = pci_register_driver(&ofnic_pci_driver);
	if (err)
		ofnic_debugfs_exit();

	return err;
}
module_init(ofnic_init);

static void __exit ofnic_exit(void)
{
	pci_unregister_driver(&ofnic_pci_driver);
	ofnic_debugfs_exit();
}
module_exit(ofnic_exit);

MODULE_DESCRIPTION("ofnic virtual offload NIC driver");
MODULE_LICENSE("GPL");

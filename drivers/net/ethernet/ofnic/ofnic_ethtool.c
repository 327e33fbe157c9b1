// SPDX-License-Identifier: GPL-2.0
/* ofnic: ethtool operations */

#include <linux/bitfield.h>
#include <linux/ethtool.h>
#include <linux/linkmode.h>
#include <linux/netlink.h>

#include "ofnic.h"

/* Device counter names, in the datasheet's order */
static const char * const ofnic_gstat_names[OFNIC_GSTAT_NUM] = {
	[OFNIC_GSTAT_TX_FRAMES]		= "tx_wire_frames",
	[OFNIC_GSTAT_TX_BYTES]		= "tx_wire_bytes",
	[OFNIC_GSTAT_TX_CSUM]		= "tx_csum_inserted",
	[OFNIC_GSTAT_TX_IP4_CSUM]	= "tx_ip4_csum_inserted",
	[OFNIC_GSTAT_TX_SCTP_CRC]	= "tx_sctp_crc_inserted",
	[OFNIC_GSTAT_TX_VLAN]		= "tx_vlan_inserted",
	[OFNIC_GSTAT_TX_TSO_PKTS]	= "tx_tso_packets",
	[OFNIC_GSTAT_TX_TSO_SEGS]	= "tx_tso_segments",
	[OFNIC_GSTAT_TX_USO_PKTS]	= "tx_uso_packets",
	[OFNIC_GSTAT_TX_USO_SEGS]	= "tx_uso_segments",
	[OFNIC_GSTAT_TX_UFO_PKTS]	= "tx_ufo_packets",
	[OFNIC_GSTAT_TX_UFO_FRAGS]	= "tx_ufo_fragments",
	[OFNIC_GSTAT_TX_TUNNEL_PKTS]	= "tx_tunnel_packets",
	[OFNIC_GSTAT_TX_LOOPBACK]	= "tx_loopback_frames",
	[OFNIC_GSTAT_TX_DROP_DESC]	= "tx_drop_bad_descriptor",
	[OFNIC_GSTAT_TX_DROP_HDR]	= "tx_drop_bad_header",
	[OFNIC_GSTAT_TX_DROP_MSS]	= "tx_drop_bad_mss",
	[OFNIC_GSTAT_TX_DROP_LEN]	= "tx_drop_bad_length",
	[OFNIC_GSTAT_TX_DROP_UNSUPP]	= "tx_drop_unsupported",
	[OFNIC_GSTAT_TX_DROP_DMA]	= "tx_drop_dma_error",
	[OFNIC_GSTAT_TX_DROP_LINK]	= "tx_drop_link_down",
	[OFNIC_GSTAT_RX_FRAMES]		= "rx_wire_frames",
	[OFNIC_GSTAT_RX_BYTES]		= "rx_wire_bytes",
	[OFNIC_GSTAT_RX_BROADCAST]	= "rx_broadcast",
	[OFNIC_GSTAT_RX_MULTICAST]	= "rx_multicast",
	[OFNIC_GSTAT_RX_CSUM_GOOD]	= "rx_csum_good",
	[OFNIC_GSTAT_RX_CSUM_BAD]	= "rx_csum_bad",
	[OFNIC_GSTAT_RX_CSUM_NONE]	= "rx_csum_none",
	[OFNIC_GSTAT_RX_VLAN_STRIP]	= "rx_vlan_stripped",
	[OFNIC_GSTAT_RX_COALESCED]	= "rx_coalesced_packets",
	[OFNIC_GSTAT_RX_COALESCED_SEGS]	= "rx_coalesced_segments",
	[OFNIC_GSTAT_RX_FLUSH_FLAGS]	= "rx_coalesce_flush_flags",
	[OFNIC_GSTAT_RX_FLUSH_MISMATCH]	= "rx_coalesce_flush_mismatch",
	[OFNIC_GSTAT_RX_FLUSH_OOO]	= "rx_coalesce_flush_out_of_order",
	[OFNIC_GSTAT_RX_FLUSH_SIZE]	= "rx_coalesce_flush_size",
	[OFNIC_GSTAT_RX_FLUSH_TIMEOUT]	= "rx_coalesce_flush_timeout",
	[OFNIC_GSTAT_RX_FLUSH_EVICT]	= "rx_coalesce_flush_evict",
	[OFNIC_GSTAT_RX_NTUPLE_HITS]	= "rx_ntuple_hits",
	[OFNIC_GSTAT_RX_DROP_FILTER]	= "rx_drop_address_filter",
	[OFNIC_GSTAT_RX_DROP_VLAN]	= "rx_drop_vlan_filter",
	[OFNIC_GSTAT_RX_DROP_NTUPLE]	= "rx_drop_ntuple",
	[OFNIC_GSTAT_RX_DROP_SIZE]	= "rx_drop_bad_size",
	[OFNIC_GSTAT_RX_DROP_QUEUE_OFF]	= "rx_drop_queue_disabled",
	[OFNIC_GSTAT_RX_DROP_DMA]	= "rx_drop_dma_error",
	[OFNIC_GSTAT_RX_DROP_DISABLED]	= "rx_drop_device_disabled",
	[OFNIC_GSTAT_RING_ERRORS]	= "ring_errors",
	[OFNIC_GSTAT_RX_TUNNEL]		= "rx_tunnel_packets",
	[OFNIC_GSTAT_TX_TUNNEL_SEGS]	= "tx_tunnel_segments",
	[OFNIC_GSTAT_FAULT_DROP]	= "rx_fault_dropped",
	[OFNIC_GSTAT_FAULT_CORRUPT]	= "rx_fault_corrupted",
	[OFNIC_GSTAT_FAULT_DUP]		= "rx_fault_duplicated",
	[OFNIC_GSTAT_FAULT_REORDER]	= "rx_fault_reordered",
	[OFNIC_GSTAT_RX_PAUSE]		= "rx_pause_frames",
	[OFNIC_GSTAT_TX_PAUSE]		= "tx_pause_frames",
	[OFNIC_GSTAT_RX_DROP_MAC_CTRL]	= "rx_drop_mac_control",
	[OFNIC_GSTAT_FEC_CORRECTED]	= "fec_corrected_blocks",
	[OFNIC_GSTAT_FEC_UNCORRECTABLE]	= "fec_uncorrectable_blocks",
	[OFNIC_GSTAT_FEC_CORRECTED_BITS] = "fec_corrected_bits",
	[OFNIC_GSTAT_FEC_RS_BIN_0]	= "fec_rs_codewords_0_errors",
	[OFNIC_GSTAT_FEC_RS_BIN_1]	= "fec_rs_codewords_1_error",
};

static const char * const ofnic_qstat_names[OFNIC_QSTAT_NUM] = {
	[OFNIC_QSTAT_TX_PKTS]		= "tx_packets",
	[OFNIC_QSTAT_TX_WIRE_PKTS]	= "tx_wire_packets",
	[OFNIC_QSTAT_TX_WIRE_BYTES]	= "tx_wire_bytes",
	[OFNIC_QSTAT_TX_GSO_PKTS]	= "tx_hw_gso_packets",
	[OFNIC_QSTAT_TX_GSO_BYTES]	= "tx_hw_gso_bytes",
	[OFNIC_QSTAT_TX_GSO_WIRE_PKTS]	= "tx_hw_gso_wire_packets",
	[OFNIC_QSTAT_TX_GSO_WIRE_BYTES]	= "tx_hw_gso_wire_bytes",
	[OFNIC_QSTAT_TX_CSUM]		= "tx_csum_partial",
	[OFNIC_QSTAT_TX_DROPS]		= "tx_hw_drops",
	[OFNIC_QSTAT_RX_PKTS]		= "rx_packets",
	[OFNIC_QSTAT_RX_BYTES]		= "rx_bytes",
	[OFNIC_QSTAT_RX_GRO_PKTS]	= "rx_hw_gro_packets",
	[OFNIC_QSTAT_RX_GRO_BYTES]	= "rx_hw_gro_bytes",
	[OFNIC_QSTAT_RX_GRO_WIRE_PKTS]	= "rx_hw_gro_wire_packets",
	[OFNIC_QSTAT_RX_GRO_WIRE_BYTES]	= "rx_hw_gro_wire_bytes",
	[OFNIC_QSTAT_RX_CSUM_OK]	= "rx_csum_unnecessary",
	[OFNIC_QSTAT_RX_CSUM_NONE]	= "rx_csum_none",
	[OFNIC_QSTAT_RX_CSUM_BAD]	= "rx_csum_bad",
	[OFNIC_QSTAT_RX_STALLS]		= "rx_no_buffer_stalls",
	[OFNIC_QSTAT_RX_DROPS]		= "rx_hw_drops",
	[OFNIC_QSTAT_IRQS]		= "interrupts",
	[OFNIC_QSTAT_RX_NO_BUF_DROPS]	= "rx_no_buffer_drops",
};

/* A driver counter for ethtool -S: its name and where it is in its group */
struct ofnic_stat_desc {
	char name[ETH_GSTRING_LEN];
	unsigned int offset;
};

#define OFNIC_STAT(type, field, str)	{ str, offsetof(struct type, field) }

static const struct ofnic_stat_desc ofnic_tx_cmpl_stats[] = {
	OFNIC_STAT(ofnic_tx_cmpl_stats, packets, "tx_packets"),
	OFNIC_STAT(ofnic_tx_cmpl_stats, bytes, "tx_bytes"),
	OFNIC_STAT(ofnic_tx_cmpl_stats, wakes, "tx_wakes"),
};

static const struct ofnic_stat_desc ofnic_tx_xmit_stats[] = {
	OFNIC_STAT(ofnic_tx_xmit_stats, stops, "tx_stops"),
	OFNIC_STAT(ofnic_tx_xmit_stats, busy, "tx_busy"),
	OFNIC_STAT(ofnic_tx_xmit_stats, linearized, "tx_linearized"),
	OFNIC_STAT(ofnic_tx_xmit_stats, drops, "tx_dropped"),
	OFNIC_STAT(ofnic_tx_xmit_stats, dma_errors, "tx_dma_map_errors"),
	OFNIC_STAT(ofnic_tx_xmit_stats, gso_pkts, "tx_hw_gso_packets"),
	OFNIC_STAT(ofnic_tx_xmit_stats, gso_bytes, "tx_hw_gso_bytes"),
	OFNIC_STAT(ofnic_tx_xmit_stats, gso_wire_pkts, "tx_hw_gso_wire_packets"),
	OFNIC_STAT(ofnic_tx_xmit_stats, gso_wire_bytes, "tx_hw_gso_wire_bytes"),
	OFNIC_STAT(ofnic_tx_xmit_stats, needs_csum, "tx_needs_csum"),
	OFNIC_STAT(ofnic_tx_xmit_stats, vlan, "tx_vlan_inserted"),
};

static const struct ofnic_stat_desc ofnic_rx_stats[] = {
	OFNIC_STAT(ofnic_rx_stats, packets, "rx_packets"),
	OFNIC_STAT(ofnic_rx_stats, bytes, "rx_bytes"),
	OFNIC_STAT(ofnic_rx_stats, multi_buf, "rx_multi_buffer_packets"),
	OFNIC_STAT(ofnic_rx_stats, alloc_fail, "rx_alloc_failed"),
	OFNIC_STAT(ofnic_rx_stats, drops, "rx_dropped"),
	OFNIC_STAT(ofnic_rx_stats, bad_cmpl, "rx_bad_completions"),
	OFNIC_STAT(ofnic_rx_stats, csum_ok, "rx_csum_unnecessary"),
	OFNIC_STAT(ofnic_rx_stats, csum_none, "rx_csum_none"),
	OFNIC_STAT(ofnic_rx_stats, csum_bad, "rx_csum_bad"),
	OFNIC_STAT(ofnic_rx_stats, gro_pkts, "rx_hw_gro_packets"),
	OFNIC_STAT(ofnic_rx_stats, gro_bytes, "rx_hw_gro_bytes"),
	OFNIC_STAT(ofnic_rx_stats, gro_wire_pkts, "rx_hw_gro_wire_packets"),
	OFNIC_STAT(ofnic_rx_stats, gro_wire_bytes, "rx_hw_gro_wire_bytes"),
	OFNIC_STAT(ofnic_rx_stats, lro_pkts, "rx_lro_packets"),
	OFNIC_STAT(ofnic_rx_stats, lro_segs, "rx_lro_segments"),
};

/* every field of a group has a name: a counter added without one fails the build */
static_assert(sizeof(struct ofnic_tx_cmpl_stats) == ARRAY_SIZE(ofnic_tx_cmpl_stats) * sizeof(u64));
static_assert(sizeof(struct ofnic_tx_xmit_stats) == ARRAY_SIZE(ofnic_tx_xmit_stats) * sizeof(u64));
static_assert(sizeof(struct ofnic_rx_stats) == ARRAY_SIZE(ofnic_rx_stats) * sizeof(u64));

#define OFNIC_TX_CMPL_NUM	ARRAY_SIZE(ofnic_tx_cmpl_stats)
#define OFNIC_TX_XMIT_NUM	ARRAY_SIZE(ofnic_tx_xmit_stats)
#define OFNIC_RX_NUM		ARRAY_SIZE(ofnic_rx_stats)

/* Per queue pair: the device's counters, then the driver's */
#define OFNIC_PER_QUEUE_STATS	(OFNIC_QSTAT_NUM + OFNIC_TX_CMPL_NUM + OFNIC_TX_XMIT_NUM + \
				 OFNIC_RX_NUM)

static void ofnic_get_drvinfo(struct net_device *netdev, struct ethtool_drvinfo *info)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	strscpy(info->driver, OFNIC_DRV_NAME, sizeof(info->driver));
	strscpy(info->bus_info, pci_name(priv->pdev), sizeof(info->bus_info));
	snprintf(info->fw_version, sizeof(info->fw_version), "%u.%u",
		 FIELD_GET(OFNIC_VERSION_MAJOR_MASK, priv->version),
		 FIELD_GET(OFNIC_VERSION_MINOR_MASK, priv->version));
}

static const char ofnic_pflag_names[OFNIC_PFLAG_NUM][ETH_GSTRING_LEN] = {
	"tx-udp-fragmentation",
};

static u32 ofnic_get_priv_flags(struct net_device *netdev)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	return priv->pflags;
}

static int ofnic_set_priv_flags(struct net_device *netdev, u32 flags)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if ((flags & OFNIC_PFLAG_UFO) && !(priv->caps & OFNIC_CAP_UFO)) {
		netdev_err(netdev, "tx-udp-fragmentation: the device has no UFO (OFNIC_CAP_UFO)\n");
		return -EOPNOTSUPP;
	}
	priv->pflags = flags;
	netdev_update_features(netdev);
	return 0;
}

static int ofnic_get_link_ksettings(struct net_device *netdev,
				    struct ethtool_link_ksettings *cmd)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	u32 status;

	status = ofnic_rd32(priv, OFNIC_REG_STATUS);
	ethtool_link_ksettings_zero_link_mode(cmd, supported);
	ethtool_link_ksettings_zero_link_mode(cmd, advertising);
	cmd->base.port = PORT_OTHER;
	cmd->base.autoneg = AUTONEG_DISABLE;
	if (priv->caps & OFNIC_CAP_PAUSE) {
		linkmode_set_bit(ETHTOOL_LINK_MODE_Pause_BIT, cmd->link_modes.supported);
		linkmode_set_bit(ETHTOOL_LINK_MODE_Asym_Pause_BIT, cmd->link_modes.supported);
	}
	if (status & OFNIC_STATUS_LINK_UP) {
		cmd->base.speed = FIELD_GET(OFNIC_STATUS_SPEED_MASK, status) * 100;
		cmd->base.duplex = DUPLEX_FULL;
	} else {
		cmd->base.speed = SPEED_UNKNOWN;
		cmd->base.duplex = DUPLEX_UNKNOWN;
	}

	return 0;
}

static void ofnic_get_channels(struct net_device *netdev, struct ethtool_channels *ch)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	ch->max_combined = priv->max_queues;
	ch->combined_count = priv->num_queues;
}

static int ofnic_set_channels(struct net_device *netdev, struct ethtool_channels *ch)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	unsigned int old_queues = priv->num_queues;
	int err;

	/* Only combined channels; the core also bounds every count by its maximum */
	if (ch->rx_count || ch->tx_count || ch->other_count || !ch->combined_count)
		return -EINVAL;
	if (ch->combined_count == priv->num_queues)
		return 0;
	/* the core checks rules to a queue, not the offsets of rules to an RSS context */
	if (!ofnic_ntuple_fits(priv, ch->combined_count))
		return -EINVAL;
	err = ofnic_rss_can_resize(priv, ch->combined_count);
	if (err)
		return err;

	err = ofnic_reconfigure(priv, ch->combined_count, priv->tx_ring_size,
				priv->rx_ring_size);
	if (!err)
		ofnic_rss_resize(priv, old_queues);

	return err;
}

static void ofnic_get_ringparam(struct net_device *netdev, struct ethtool_ringparam *ring,
				struct kernel_ethtool_ringparam *kring,
				struct netlink_ext_ack *extack)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	ring->rx_max_pending = priv->ring_max;
	ring->tx_max_pending = priv->ring_max;
	ring->rx_pending = priv->rx_ring_size;
	ring->tx_pending = priv->tx_ring_size;
}

static bool ofnic_ring_size_ok(struct ofnic_priv *priv, u32 size)
{
	return size >= OFNIC_RING_MIN && size <= priv->ring_max && is_power_of_2(size);
}

static int ofnic_set_ringparam(struct net_device *netdev, struct ethtool_ringparam *ring,
			       struct kernel_ethtool_ringparam *kring,
			       struct netlink_ext_ack *extack)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if (ring->rx_mini_pending || ring->rx_jumbo_pending) {
		NL_SET_ERR_MSG_MOD(extack, "mini and jumbo rings are not supported");
		return -EINVAL;
	}
	if (!ofnic_ring_size_ok(priv, ring->rx_pending) ||
	    !ofnic_ring_size_ok(priv, ring->tx_pending)) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "ring sizes must be powers of two from %u to %u",
				       OFNIC_RING_MIN, priv->ring_max);
		return -EINVAL;
	}
	if (ring->rx_pending == priv->rx_ring_size && ring->tx_pending == priv->tx_ring_size)
		return 0;

	return ofnic_reconfigure(priv, priv->num_queues, ring->tx_pending, ring->rx_pending);
}

static int ofnic_get_sset_count(struct net_device *netdev, int sset)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if (sset == ETH_SS_TEST)
		return ofnic_test_count(priv);
	if (sset == ETH_SS_PRIV_FLAGS)
		return OFNIC_PFLAG_NUM;
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;

	return OFNIC_GSTAT_NUM + priv->num_queues * OFNIC_PER_QUEUE_STATS;
}

static void ofnic_put_names(u8 **data, const char * const *names, unsigned int n, u16 q,
			    const char *prefix)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		ethtool_sprintf(data, "%s%u_%s", prefix, q, names[i]);
}

static void ofnic_put_stat_names(u8 **data, const struct ofnic_stat_desc *desc, unsigned int n,
				 u16 q)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		ethtool_sprintf(data, "drv_q%u_%s", q, desc[i].name);
}

/* The values of a driver counter group, in the order of its descriptors */
static u64 *ofnic_put_stat_values(u64 *data, const struct ofnic_stat_desc *desc, unsigned int n,
				  const void *group)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		*data++ = *(const u64 *)((const u8 *)group + desc[i].offset);

	return data;
}

static void ofnic_get_strings(struct net_device *netdev, u32 sset, u8 *data)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	unsigned int i;
	u16 q;

	if (sset == ETH_SS_TEST) {
		ofnic_test_strings(priv, data);
		return;
	}
	if (sset == ETH_SS_PRIV_FLAGS) {
		memcpy(data, ofnic_pflag_names, sizeof(ofnic_pflag_names));
		return;
	}
	if (sset != ETH_SS_STATS)
		return;

	for (i = 0; i < OFNIC_GSTAT_NUM; i++)
		ethtool_puts(&data, ofnic_gstat_names[i]);

	for (q = 0; q < priv->num_queues; q++) {
		ofnic_put_names(&data, ofnic_qstat_names, OFNIC_QSTAT_NUM, q, "q");
		ofnic_put_stat_names(&data, ofnic_tx_cmpl_stats, OFNIC_TX_CMPL_NUM, q);
		ofnic_put_stat_names(&data, ofnic_tx_xmit_stats, OFNIC_TX_XMIT_NUM, q);
		ofnic_put_stat_names(&data, ofnic_rx_stats, OFNIC_RX_NUM, q);
	}
}

/* Device counters from a fresh dump (the cached ones if it fails), then the driver's */
static void ofnic_get_ethtool_stats(struct net_device *netdev, struct ethtool_stats *stats,
				    u64 *data)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	struct ofnic_tx_cmpl_stats txc;
	struct ofnic_tx_xmit_stats txx;
	struct ofnic_rx_stats rx;
	u16 q;

	ofnic_hw_stats_refresh(priv, 0);
	ofnic_hw_stats_read(priv, data, 0, OFNIC_GSTAT_NUM);
	data += OFNIC_GSTAT_NUM;

	for (q = 0; q < priv->num_queues; q++) {
		ofnic_hw_stats_read(priv, data, ofnic_hw_qstat_idx(q, 0), OFNIC_QSTAT_NUM);
		data += OFNIC_QSTAT_NUM;

		ofnic_tx_cmpl_stats_get(&priv->qstats[q], &txc);
		ofnic_tx_xmit_stats_get(&priv->qstats[q], &txx);
		ofnic_rx_stats_get(&priv->qstats[q], &rx);
		data = ofnic_put_stat_values(data, ofnic_tx_cmpl_stats, OFNIC_TX_CMPL_NUM, &txc);
		data = ofnic_put_stat_values(data, ofnic_tx_xmit_stats, OFNIC_TX_XMIT_NUM, &txx);
		data = ofnic_put_stat_values(data, ofnic_rx_stats, OFNIC_RX_NUM, &rx);
	}
}

/* ------------------------------------------------------------------------------------------
 * Interrupt moderation: OFNIC_Q_ITR of each queue, net_dim when adaptive
 */

static void ofnic_coal_get(const struct ofnic_priv *priv, u16 q, struct ethtool_coalesce *ec)
{
	const struct ofnic_coal *rx = &priv->rx_coal[q];
	const struct ofnic_coal *tx = &priv->tx_coal[q];

	ec->rx_coalesce_usecs = rx->usecs;
	ec->rx_max_coalesced_frames = rx->frames;
	ec->use_adaptive_rx_coalesce = rx->adaptive;
	ec->tx_coalesce_usecs = tx->usecs;
	ec->tx_max_coalesced_frames = tx->frames;
	ec->use_adaptive_tx_coalesce = tx->adaptive;
}

static int ofnic_coal_check(const struct ofnic_priv *priv, const struct ethtool_coalesce *ec,
			    struct netlink_ext_ack *extack)
{
	if (!(priv->caps & OFNIC_CAP_ITR))
		return -EOPNOTSUPP;

	if (ec->rx_coalesce_usecs > OFNIC_ITR_MAX_USECS ||
	    ec->tx_coalesce_usecs > OFNIC_ITR_MAX_USECS) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "usecs can be at most %u", OFNIC_ITR_MAX_USECS);
		return -EINVAL;
	}
	if (ec->rx_max_coalesced_frames > OFNIC_ITR_MAX_FRAMES ||
	    ec->tx_max_coalesced_frames > OFNIC_ITR_MAX_FRAMES) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "frames can be at most %u", OFNIC_ITR_MAX_FRAMES);
		return -EINVAL;
	}

	return 0;
}

/* Store the settings of queue q and program them if the queue is running */
static void ofnic_coal_set(struct ofnic_priv *priv, u16 q, const struct ethtool_coalesce *ec)
{
	struct ofnic_coal *rx = &priv->rx_coal[q];
	struct ofnic_coal *tx = &priv->tx_coal[q];
	bool rx_dim_off = rx->adaptive && !ec->use_adaptive_rx_coalesce;
	bool tx_dim_off = tx->adaptive && !ec->use_adaptive_tx_coalesce;
	struct ofnic_q_vector *qv = NULL;

	rx->usecs = ec->rx_coalesce_usecs;
	rx->frames = ec->rx_max_coalesced_frames;
	WRITE_ONCE(rx->adaptive, !!ec->use_adaptive_rx_coalesce);
	tx->usecs = ec->tx_coalesce_usecs;
	tx->frames = ec->tx_max_coalesced_frames;
	WRITE_ONCE(tx->adaptive, !!ec->use_adaptive_tx_coalesce);

	if (!priv->up || q >= priv->num_queues)
		return;
	qv = &priv->qv[q];

	/* a DIM work item still running must not overwrite the static values afterwards */
	if (rx_dim_off)
		cancel_work_sync(&qv->rx_dim.work);
	if (tx_dim_off)
		cancel_work_sync(&qv->tx_dim.work);
	ofnic_coal_apply(priv, q);
}

/* 802.3x flow control: set by hand (no autonegotiation), off until asked for */
static void ofnic_get_pauseparam(struct net_device *netdev, struct ethtool_pauseparam *pause)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	pause->autoneg = AUTONEG_DISABLE;
	pause->rx_pause = !!(priv->fc_ctrl & OFNIC_FC_RX_PAUSE);
	pause->tx_pause = !!(priv->fc_ctrl & OFNIC_FC_TX_PAUSE);
}

static int ofnic_set_pauseparam(struct net_device *netdev, struct ethtool_pauseparam *pause)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if (!(priv->caps & OFNIC_CAP_PAUSE))
		return pause->rx_pause || pause->tx_pause || pause->autoneg ? -EOPNOTSUPP : 0;
	if (pause->autoneg)
		return -EOPNOTSUPP;	/* the link is not negotiated */

	priv->fc_ctrl = (pause->rx_pause ? OFNIC_FC_RX_PAUSE : 0) |
			(pause->tx_pause ? OFNIC_FC_TX_PAUSE : 0);
	ofnic_wr32(priv, OFNIC_REG_FC_CTRL, priv->fc_ctrl);

	return 0;
}

/* One device-wide counter of the cache */
static u64 ofnic_gstat(struct ofnic_priv *priv, enum ofnic_gstat stat)
{
	u64 v;

	ofnic_hw_stats_read(priv, &v, stat, 1);

	return v;
}

static void ofnic_get_pause_stats(struct net_device *netdev, struct ethtool_pause_stats *stats)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if (!(priv->caps & OFNIC_CAP_PAUSE))
		return;
	ofnic_hw_stats_refresh(priv, 0);
	stats->tx_pause_frames = ofnic_gstat(priv, OFNIC_GSTAT_TX_PAUSE);
	stats->rx_pause_frames = ofnic_gstat(priv, OFNIC_GSTAT_RX_PAUSE);
}

/* FEC as ethtool names it, by OFNIC_FEC_* mode */
static const u32 ofnic_fec_modes[] = {
	[OFNIC_FEC_OFF]		= ETHTOOL_FEC_OFF,
	[OFNIC_FEC_BASER]	= ETHTOOL_FEC_BASER,
	[OFNIC_FEC_RS]		= ETHTOOL_FEC_RS,
};

static int ofnic_get_fecparam(struct net_device *netdev, struct ethtool_fecparam *fec)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if (!(priv->caps & OFNIC_CAP_FEC))
		return -EOPNOTSUPP;
	fec->fec = ETHTOOL_FEC_OFF | ETHTOOL_FEC_BASER | ETHTOOL_FEC_RS;
	fec->active_fec = ofnic_fec_modes[priv->fec_mode];

	return 0;
}

/* One code, set by hand: the link does not negotiate (no ETHTOOL_FEC_AUTO) */
static int ofnic_set_fecparam(struct net_device *netdev, struct ethtool_fecparam *fec)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	unsigned int mode;

	if (!(priv->caps & OFNIC_CAP_FEC))
		return -EOPNOTSUPP;
	for (mode = 0; mode < ARRAY_SIZE(ofnic_fec_modes); mode++)
		if (fec->fec == ofnic_fec_modes[mode])
			break;
	if (mode == ARRAY_SIZE(ofnic_fec_modes))
		return -EINVAL;

	priv->fec_mode = mode;
	ofnic_wr32(priv, OFNIC_REG_FEC_CTRL, mode);

	return 0;
}

#if OFNIC_HAVE_FEC_HIST
/* RS codewords by symbols in error: the device sees none or one (a flipped bit) */
static const struct ethtool_fec_hist_range ofnic_fec_ranges[] = {
	{ 0, 0 },
	{ 1, 1 },
	{ 0, 0 },
};

static void ofnic_get_fec_stats(struct net_device *netdev, struct ethtool_fec_stats *fec_stats,
				struct ethtool_fec_hist *hist)
#else
static void ofnic_get_fec_stats(struct net_device *netdev, struct ethtool_fec_stats *fec_stats)
#endif
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if (!(priv->caps & OFNIC_CAP_FEC))
		return;
	ofnic_hw_stats_refresh(priv, 0);
	fec_stats->corrected_blocks.total = ofnic_gstat(priv, OFNIC_GSTAT_FEC_CORRECTED);
	fec_stats->uncorrectable_blocks.total = ofnic_gstat(priv, OFNIC_GSTAT_FEC_UNCORRECTABLE);
	fec_stats->corrected_bits.total = ofnic_gstat(priv, OFNIC_GSTAT_FEC_CORRECTED_BITS);
#if OFNIC_HAVE_FEC_HIST
	if (priv->fec_mode == OFNIC_FEC_RS) {
		hist->ranges = ofnic_fec_ranges;
		hist->values[0].sum = ofnic_gstat(priv, OFNIC_GSTAT_FEC_RS_BIN_0);
		hist->values[1].sum = ofnic_gstat(priv, OFNIC_GSTAT_FEC_RS_BIN_1);
	}
#endif
}

/* The IEEE 802.3 MAC counters (ethtool -S DEV --groups eth-mac) the device keeps */
static void ofnic_get_eth_mac_stats(struct net_device *netdev,
				    struct ethtool_eth_mac_stats *mac)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	u64 hw[OFNIC_GSTAT_NUM];

	ofnic_hw_stats_refresh(priv, 0);
	ofnic_hw_stats_read(priv, hw, 0, OFNIC_GSTAT_NUM);
	mac->FramesTransmittedOK = hw[OFNIC_GSTAT_TX_FRAMES];
	mac->OctetsTransmittedOK = hw[OFNIC_GSTAT_TX_BYTES];
	mac->FramesReceivedOK = hw[OFNIC_GSTAT_RX_FRAMES];
	mac->OctetsReceivedOK = hw[OFNIC_GSTAT_RX_BYTES];
	mac->MulticastFramesReceivedOK = hw[OFNIC_GSTAT_RX_MULTICAST];
	mac->BroadcastFramesReceivedOK = hw[OFNIC_GSTAT_RX_BROADCAST];
	/* frames outside 14..MAX_FRAME: shorter than a header cannot come from a netdev */
	mac->FrameTooLongErrors = hw[OFNIC_GSTAT_RX_DROP_SIZE];
}

static int ofnic_get_coalesce(struct net_device *netdev, struct ethtool_coalesce *ec,
			      struct kernel_ethtool_coalesce *kec,
			      struct netlink_ext_ack *extack)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if (!(priv->caps & OFNIC_CAP_ITR))
		return -EOPNOTSUPP;

	ofnic_coal_get(priv, 0, ec);

	return 0;
}

/* Every queue, the ones not in use included */
static int ofnic_set_coalesce(struct net_device *netdev, struct ethtool_coalesce *ec,
			      struct kernel_ethtool_coalesce *kec,
			      struct netlink_ext_ack *extack)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	int err;
	u16 q;

	err = ofnic_coal_check(priv, ec, extack);
	if (err)
		return err;

	for (q = 0; q < priv->hw_queues; q++)
		ofnic_coal_set(priv, q, ec);

	return 0;
}

static int ofnic_get_per_queue_coalesce(struct net_device *netdev, u32 queue,
					struct ethtool_coalesce *ec)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if (!(priv->caps & OFNIC_CAP_ITR))
		return -EOPNOTSUPP;
	if (queue >= priv->num_queues)
		return -EINVAL;

	ofnic_coal_get(priv, queue, ec);

	return 0;
}

static int ofnic_set_per_queue_coalesce(struct net_device *netdev, u32 queue,
					struct ethtool_coalesce *ec)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	int err;

	err = ofnic_coal_check(priv, ec, NULL);
	if (err)
		return err;
	if (queue >= priv->num_queues)
		return -EINVAL;

	ofnic_coal_set(priv, queue, ec);

	return 0;
}

static const struct ethtool_ops ofnic_ethtool_ops = {
	.cap_rss_rxnfc_adds	= 1,
	.rxfh_per_ctx_fields	= 1,
	.rxfh_per_ctx_key	= 1,
	.rxfh_max_num_contexts	= OFNIC_RSS_MAX_CONTEXTS,
	.rxfh_indir_space	= OFNIC_RSS_INDIR_SIZE,
	.supported_input_xfrm	= RXH_XFRM_SYM_XOR | RXH_XFRM_SYM_OR_XOR,
	.supported_coalesce_params = ETHTOOL_COALESCE_USECS | ETHTOOL_COALESCE_MAX_FRAMES |
				     ETHTOOL_COALESCE_USE_ADAPTIVE,
	.get_drvinfo		= ofnic_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= ofnic_get_link_ksettings,
	.get_channels		= ofnic_get_channels,
	.set_channels		= ofnic_set_channels,
	.get_ringparam		= ofnic_get_ringparam,
	.set_ringparam		= ofnic_set_ringparam,
	.get_sset_count		= ofnic_get_sset_count,
	.get_priv_flags		= ofnic_get_priv_flags,
	.set_priv_flags		= ofnic_set_priv_flags,
	.get_strings		= ofnic_get_strings,
	.get_ethtool_stats	= ofnic_get_ethtool_stats,
	.get_eth_mac_stats	= ofnic_get_eth_mac_stats,
	.get_pauseparam		= ofnic_get_pauseparam,
	.set_pauseparam		= ofnic_set_pauseparam,
	.get_pause_stats	= ofnic_get_pause_stats,
	.get_fecparam		= ofnic_get_fecparam,
	.set_fecparam		= ofnic_set_fecparam,
	.get_fec_stats		= ofnic_get_fec_stats,
	.get_regs_len		= ofnic_get_regs_len,
	.get_regs		= ofnic_get_regs,
	.self_test		= ofnic_self_test,
	.get_coalesce		= ofnic_get_coalesce,
	.set_coalesce		= ofnic_set_coalesce,
	.get_per_queue_coalesce	= ofnic_get_per_queue_coalesce,
	.set_per_queue_coalesce	= ofnic_set_per_queue_coalesce,
#if OFNIC_HAVE_RX_RING_COUNT_OP
	.get_rx_ring_count	= ofnic_get_rx_ring_count,
#endif
	.get_rxnfc		= ofnic_get_rxnfc,
	.set_rxnfc		= ofnic_set_rxnfc,
	.get_rxfh_key_size	= ofnic_get_rxfh_key_size,
	.get_rxfh_indir_size	= ofnic_get_rxfh_indir_size,
	.get_rxfh		= ofnic_get_rxfh,
	.set_rxfh		= ofnic_set_rxfh,
	.get_rxfh_fields	= ofnic_get_rxfh_fields,
	.set_rxfh_fields	= ofnic_set_rxfh_fields,
	.create_rxfh_context	= ofnic_create_rxfh_context,
	.modify_rxfh_context	= ofnic_modify_rxfh_context,
	.remove_rxfh_context	= ofnic_remove_rxfh_context,
};

void ofnic_set_ethtool_ops(struct net_device *netdev)
{
	netdev->ethtool_ops = &ofnic_ethtool_ops;
}

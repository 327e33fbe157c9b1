// SPDX-License-Identifier: GPL-2.0
/* ofnic: ethtool operations */

#include <linux/bitfield.h>
#include <linux/ethtool.h>
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
};

static const char * const ofnic_tx_cmpl_names[OFNIC_TX_CMPL_NUM] = {
	[OFNIC_S_TX_PACKETS]		= "tx_packets",
	[OFNIC_S_TX_BYTES]		= "tx_bytes",
	[OFNIC_S_TX_WAKES]		= "tx_wakes",
};

static const char * const ofnic_tx_xmit_names[OFNIC_TX_XMIT_NUM] = {
	[OFNIC_S_TX_STOPS]		= "tx_stops",
	[OFNIC_S_TX_BUSY]		= "tx_busy",
	[OFNIC_S_TX_LINEARIZED]		= "tx_linearized",
	[OFNIC_S_TX_DROPS]		= "tx_dropped",
	[OFNIC_S_TX_DMA_ERRORS]		= "tx_dma_map_errors",
	[OFNIC_S_TX_GSO_PKTS]		= "tx_hw_gso_packets",
	[OFNIC_S_TX_GSO_BYTES]		= "tx_hw_gso_bytes",
	[OFNIC_S_TX_GSO_WIRE_PKTS]	= "tx_hw_gso_wire_packets",
	[OFNIC_S_TX_GSO_WIRE_BYTES]	= "tx_hw_gso_wire_bytes",
	[OFNIC_S_TX_NEEDS_CSUM]		= "tx_needs_csum",
	[OFNIC_S_TX_VLAN]		= "tx_vlan_inserted",
};

static const char * const ofnic_rx_names[OFNIC_RX_NUM] = {
	[OFNIC_S_RX_PACKETS]		= "rx_packets",
	[OFNIC_S_RX_BYTES]		= "rx_bytes",
	[OFNIC_S_RX_MULTI_BUF]		= "rx_multi_buffer_packets",
	[OFNIC_S_RX_ALLOC_FAIL]		= "rx_alloc_failed",
	[OFNIC_S_RX_DROPS]		= "rx_dropped",
	[OFNIC_S_RX_BAD_CMPL]		= "rx_bad_completions",
};

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

	/* Only combined channels; the core also bounds every count by its maximum */
	if (ch->rx_count || ch->tx_count || ch->other_count || !ch->combined_count)
		return -EINVAL;
	if (ch->combined_count == priv->num_queues)
		return 0;

	return ofnic_reconfigure(priv, ch->combined_count, priv->tx_ring_size,
				 priv->rx_ring_size);
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

static void ofnic_get_strings(struct net_device *netdev, u32 sset, u8 *data)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	unsigned int i;
	u16 q;

	if (sset != ETH_SS_STATS)
		return;

	for (i = 0; i < OFNIC_GSTAT_NUM; i++)
		ethtool_puts(&data, ofnic_gstat_names[i]);

	for (q = 0; q < priv->num_queues; q++) {
		ofnic_put_names(&data, ofnic_qstat_names, OFNIC_QSTAT_NUM, q, "q");
		ofnic_put_names(&data, ofnic_tx_cmpl_names, OFNIC_TX_CMPL_NUM, q, "drv_q");
		ofnic_put_names(&data, ofnic_tx_xmit_names, OFNIC_TX_XMIT_NUM, q, "drv_q");
		ofnic_put_names(&data, ofnic_rx_names, OFNIC_RX_NUM, q, "drv_q");
	}
}

static void ofnic_get_ethtool_stats(struct net_device *netdev, struct ethtool_stats *stats,
				    u64 *data)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	struct ofnic_qstats *qs;
	const __le64 *hw;
	unsigned int i;
	bool hw_ok;
	u16 q;

	mutex_lock(&priv->stats_lock);
	hw_ok = !ofnic_hw_stats_dump(priv);
	hw = priv->hw_stats;

	for (i = 0; i < OFNIC_GSTAT_NUM; i++)
		*data++ = hw_ok ? le64_to_cpu(hw[i]) : 0;

	for (q = 0; q < priv->num_queues; q++) {
		hw = priv->hw_stats + OFNIC_GSTAT_NUM + q * OFNIC_QSTAT_NUM;
		for (i = 0; i < OFNIC_QSTAT_NUM; i++)
			*data++ = hw_ok ? le64_to_cpu(hw[i]) : 0;

		qs = &priv->qstats[q];
		ofnic_stats_read(&qs->tx_cmpl, data, OFNIC_TX_CMPL_NUM);
		data += OFNIC_TX_CMPL_NUM;
		ofnic_stats_read(&qs->tx_xmit, data, OFNIC_TX_XMIT_NUM);
		data += OFNIC_TX_XMIT_NUM;
		ofnic_stats_read(&qs->rx, data, OFNIC_RX_NUM);
		data += OFNIC_RX_NUM;
	}
	mutex_unlock(&priv->stats_lock);
}

static u32 ofnic_get_rxfh_key_size(struct net_device *netdev)
{
	return OFNIC_RSS_KEY_SIZE;
}

static u32 ofnic_get_rxfh_indir_size(struct net_device *netdev)
{
	return OFNIC_RSS_INDIR_SIZE;
}

static int ofnic_get_rxfh(struct net_device *netdev, struct ethtool_rxfh_param *rxfh)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if (!(priv->caps & OFNIC_CAP_RSS))
		return -EOPNOTSUPP;

	rxfh->hfunc = ETH_RSS_HASH_TOP;
	if (rxfh->indir)
		memcpy(rxfh->indir, priv->rss_indir, sizeof(priv->rss_indir));
	if (rxfh->key)
		memcpy(rxfh->key, priv->rss_key, sizeof(priv->rss_key));

	return 0;
}

static int ofnic_get_rxnfc(struct net_device *netdev, struct ethtool_rxnfc *cmd,
			   u32 *rule_locs)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	switch (cmd->cmd) {
	case ETHTOOL_GRXRINGS:
		cmd->data = priv->num_queues;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static const struct ethtool_ops ofnic_ethtool_ops = {
	.get_drvinfo		= ofnic_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= ofnic_get_link_ksettings,
	.get_channels		= ofnic_get_channels,
	.set_channels		= ofnic_set_channels,
	.get_ringparam		= ofnic_get_ringparam,
	.set_ringparam		= ofnic_set_ringparam,
	.get_sset_count		= ofnic_get_sset_count,
	.get_strings		= ofnic_get_strings,
	.get_ethtool_stats	= ofnic_get_ethtool_stats,
	.get_rxnfc		= ofnic_get_rxnfc,
	.get_rxfh_key_size	= ofnic_get_rxfh_key_size,
	.get_rxfh_indir_size	= ofnic_get_rxfh_indir_size,
	.get_rxfh		= ofnic_get_rxfh,
};

void ofnic_set_ethtool_ops(struct net_device *netdev)
{
	netdev->ethtool_ops = &ofnic_ethtool_ops;
}

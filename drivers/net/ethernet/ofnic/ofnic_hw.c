// SPDX-License-Identifier: GPL-2.0
/* ofnic: device register programming */

#include <linux/bitfield.h>
#include <linux/crc32.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/iopoll.h>
#include <linux/unaligned.h>

#include "ofnic.h"

int ofnic_hw_reset(struct ofnic_priv *priv)
{
	u32 val;
	int err;

	ofnic_wr32(priv, OFNIC_REG_CTRL, OFNIC_CTRL_RESET);
	err = readl_poll_timeout(priv->regs + OFNIC_REG_CTRL, val,
				 !(val & OFNIC_CTRL_RESET), 10, OFNIC_RESET_TIMEOUT_US);
	if (err) {
		dev_err(&priv->pdev->dev, "device reset timed out (CTRL %#x)\n", val);
		return err;
	}

	return 0;
}

void ofnic_hw_set_mac(struct ofnic_priv *priv, const u8 *addr)
{
	ofnic_wr32(priv, OFNIC_REG_MAC_LO, get_unaligned_le32(addr));
	ofnic_wr32(priv, OFNIC_REG_MAC_HI, get_unaligned_le16(addr + 4));
}

/* Two tags: QinQ (802.1ad over 802.1Q) keeps the MTU of the port, as VLAN devices do */
void ofnic_hw_set_max_frame(struct ofnic_priv *priv, unsigned int mtu)
{
	ofnic_wr32(priv, OFNIC_REG_MAX_FRAME, mtu + ETH_HLEN + 2 * VLAN_HLEN);
}

/*
 * Program what (OFNIC_RSS_W_*) of RSS context c from priv->rss[c]; a context other than 0 is
 * enabled last. A live context changes one register at a time, as a key or table update on
 * any NIC does; each write waits for the device, so only what changed is written.
 */
void ofnic_hw_rss_write(struct ofnic_priv *priv, unsigned int c, unsigned int what)
{
	const struct ofnic_rss_ctx *ctx = &priv->rss[c];
	unsigned int n;
	u32 ctrl;

	if (what & OFNIC_RSS_W_KEY)
		for (n = 0; n < OFNIC_RSS_KEY_SIZE / 4; n++)
			ofnic_wr32(priv, OFNIC_REG_RSS_KEY(c, n),
				   get_unaligned_le32(&ctx->key[4 * n]));

	if (what & OFNIC_RSS_W_FIELDS)
		ofnic_wr32(priv, OFNIC_REG_RSS_FIELDS(c), ctx->fields);

	/* entry 4n + i in bits 8i + 7:8i: the table as little-endian words */
	if (what & OFNIC_RSS_W_INDIR)
		for (n = 0; n < OFNIC_RSS_INDIR_SIZE / 4; n++)
			ofnic_wr32(priv, OFNIC_REG_RSS_INDIR(c, n),
				   get_unaligned_le32(&ctx->indir[4 * n]));

	/* every write ends with CTRL: a context exists once its configuration is in place */
	ctrl = c ? OFNIC_RSS_CTRL_ENABLE : 0;
	if (ctx->input_xfrm & RXH_XFRM_SYM_XOR)
		ctrl |= OFNIC_RSS_CTRL_SYM_XOR;
	else if (ctx->input_xfrm & RXH_XFRM_SYM_OR_XOR)
		ctrl |= OFNIC_RSS_CTRL_SYM_OR_XOR;
	ofnic_wr32(priv, OFNIC_REG_RSS_CTRL(c), ctrl);
}

void ofnic_hw_rss_disable(struct ofnic_priv *priv, unsigned int c)
{
	ofnic_wr32(priv, OFNIC_REG_RSS_CTRL(c), 0);
}

/* Write rule r: invalid while its fields change, CTRL (words[0]) last */
void ofnic_hw_ntuple_write(struct ofnic_priv *priv, unsigned int r, const u32 *words)
{
	unsigned int n;

	ofnic_wr32(priv, OFNIC_REG_NTUPLE_CTRL(r), 0);
	if (!(words[0] & OFNIC_NTUPLE_VALID))
		return;
	for (n = 1; n < OFNIC_NTUPLE_WORDS; n++)
		ofnic_wr32(priv, OFNIC_REG_NTUPLE_BASE(r) + 4 * n, words[n]);
	ofnic_wr32(priv, OFNIC_REG_NTUPLE_CTRL(r), words[0]);
}

/* The filter register holding vid, from priv->active_vlans */
void ofnic_hw_vlan_write(struct ofnic_priv *priv, u16 vid)
{
	unsigned int reg = vid / 32;
	u32 val = 0;
	unsigned int i;

	for (i = 0; i < 32; i++)
		if (test_bit(reg * 32 + i, priv->active_vlans))
			val |= BIT(i);
	ofnic_wr32(priv, OFNIC_REG_VLAN_FILTER(reg), val);
}

void ofnic_hw_vlan_write_all(struct ofnic_priv *priv)
{
	unsigned int reg;

	for (reg = 0; reg < OFNIC_VLAN_FILTER_REGS; reg++)
		ofnic_hw_vlan_write(priv, reg * 32);
}

/*
 * Coalescing (LRO, HW-GRO): held OFNIC_RSC_TIMEOUT_US at most, and as large as IP allows or
 * as the ring always has buffers posted for: the device places a frame whole, and RX refills
 * only in batches, so a small ring keeps as few as rx_ring_size - OFNIC_RX_REFILL_BATCH.
 */
void ofnic_hw_set_rsc(struct ofnic_priv *priv)
{
	u32 max_size = (priv->rx_ring_size - OFNIC_RX_REFILL_BATCH) * OFNIC_RX_BUF_SIZE;

	/* what the smallest ring keeps posted holds any frame that is not coalesced */
	BUILD_BUG_ON((OFNIC_RING_MIN - OFNIC_RX_REFILL_BATCH) * OFNIC_RX_BUF_SIZE <
		     OFNIC_MAX_FRAME);
	if (max_size >= OFNIC_RX_MAX_COALESCE)
		max_size = 0;	/* as large as IP allows */
	ofnic_wr32(priv, OFNIC_REG_RSC_CTRL,
		   FIELD_PREP(OFNIC_RSC_MAX_SIZE_MASK, max_size) |
		   FIELD_PREP(OFNIC_RSC_TIMEOUT_MASK, OFNIC_RSC_TIMEOUT_US));
}

/* Interrupt moderation of the queue whose registers start at qreg */
void ofnic_hw_set_itr(struct ofnic_priv *priv, u32 qreg, u16 usecs, u16 frames)
{
	ofnic_wr32(priv, qreg + OFNIC_Q_ITR,
		   FIELD_PREP(OFNIC_Q_ITR_USECS_MASK, usecs) |
		   FIELD_PREP(OFNIC_Q_ITR_FRAMES_MASK, frames));
}

/* Read-modify-write of OFNIC_REG_OFFLOAD_CTRL through its shadow */
void ofnic_hw_update_offload(struct ofnic_priv *priv, u32 clear, u32 set)
{
	spin_lock_bh(&priv->offload_lock);
	priv->offload_ctrl = (priv->offload_ctrl & ~clear) | set;
	ofnic_wr32(priv, OFNIC_REG_OFFLOAD_CTRL, priv->offload_ctrl);
	spin_unlock_bh(&priv->offload_lock);
}

/* Called with the netdev address lock held (BHs off): registers only, no sleeping */
void ofnic_hw_set_rx_mode(struct ofnic_priv *priv)
{
	struct net_device *netdev = priv->netdev;
	struct netdev_hw_addr *ha;
	unsigned int i;
	u32 set = 0;

	if (netdev->flags & IFF_PROMISC) {
		set = OFNIC_OFFLOAD_PROMISC | OFNIC_OFFLOAD_ALLMULTI;
	} else if (netdev->flags & IFF_ALLMULTI) {
		set = OFNIC_OFFLOAD_ALLMULTI;
	} else if (!netdev_mc_empty(netdev)) {
		if (priv->caps & OFNIC_CAP_MC_FILTER) {
			memset(priv->mc_filter, 0, sizeof(priv->mc_filter));
			netdev_for_each_mc_addr(ha, netdev) {
				u32 h = ether_crc_le(ETH_ALEN, ha->addr) & OFNIC_MC_HASH_MASK;

				priv->mc_filter[h / 32] |= BIT(h % 32);
			}
			for (i = 0; i < OFNIC_MC_FILTER_REGS; i++)
				ofnic_wr32(priv, OFNIC_REG_MC_FILTER(i), priv->mc_filter[i]);
			set = OFNIC_OFFLOAD_MC_FILTER;
		} else {
			set = OFNIC_OFFLOAD_ALLMULTI;
		}
	}

	ofnic_hw_update_offload(priv, OFNIC_OFFLOAD_PROMISC | OFNIC_OFFLOAD_ALLMULTI |
				OFNIC_OFFLOAD_MC_FILTER, set);
}

void ofnic_hw_txq_enable(struct ofnic_priv *priv, struct ofnic_ring *ring, u16 vec)
{
	u32 base = OFNIC_TXQ(ring->qid);

	ofnic_wr32(priv, base + OFNIC_Q_CTRL, 0);
	ofnic_wr32(priv, base + OFNIC_Q_BASE_LO, lower_32_bits(ring->dma));
	ofnic_wr32(priv, base + OFNIC_Q_BASE_HI, upper_32_bits(ring->dma));
	ofnic_wr32(priv, base + OFNIC_Q_SIZE, ring->size);
	ofnic_wr32(priv, base + OFNIC_TXQ_HEAD_WB_LO, lower_32_bits(ring->head_wb_dma));
	ofnic_wr32(priv, base + OFNIC_TXQ_HEAD_WB_HI, upper_32_bits(ring->head_wb_dma));
	ofnic_wr32(priv, base + OFNIC_Q_CTRL,
		   OFNIC_Q_CTRL_ENABLE | FIELD_PREP(OFNIC_Q_CTRL_VECTOR_MASK, vec));
}

void ofnic_hw_rxq_enable(struct ofnic_priv *priv, struct ofnic_ring *ring, u16 vec)
{
	u32 base = OFNIC_RXQ(ring->qid);

	ofnic_wr32(priv, base + OFNIC_Q_CTRL, 0);
	ofnic_wr32(priv, base + OFNIC_Q_BASE_LO, lower_32_bits(ring->dma));
	ofnic_wr32(priv, base + OFNIC_Q_BASE_HI, upper_32_bits(ring->dma));
	ofnic_wr32(priv, base + OFNIC_Q_SIZE, ring->size);
	ofnic_wr32(priv, base + OFNIC_RXQ_BUF_SIZE, OFNIC_RX_BUF_SIZE);
	ofnic_wr32(priv, base + OFNIC_Q_CTRL,
		   OFNIC_Q_CTRL_ENABLE | FIELD_PREP(OFNIC_Q_CTRL_VECTOR_MASK, vec));
}

/*
 * Stop the device from touching the rings of the first num_queues queue pairs. The read
 * back flushes the posted writes so that no DMA is started after this returns.
 */
void ofnic_hw_queues_disable(struct ofnic_priv *priv, u16 num_queues)
{
	u16 q;

	ofnic_wr32(priv, OFNIC_REG_CTRL, 0);
	for (q = 0; q < num_queues; q++) {
		ofnic_wr32(priv, OFNIC_TXQ(q) + OFNIC_Q_CTRL, 0);
		ofnic_wr32(priv, OFNIC_RXQ(q) + OFNIC_Q_CTRL, 0);
	}
	ofnic_rd32(priv, OFNIC_REG_STATUS);
}

/* Have the device write its statistics block to priv->hw_stats */
static int ofnic_hw_stats_dump(struct ofnic_priv *priv)
{
	u32 val;
	int err;

	lockdep_assert_held(&priv->stats_lock);

	ofnic_wr32(priv, OFNIC_REG_STATS_ADDR_LO, lower_32_bits(priv->hw_stats_dma));
	ofnic_wr32(priv, OFNIC_REG_STATS_ADDR_HI, upper_32_bits(priv->hw_stats_dma));
	ofnic_wr32(priv, OFNIC_REG_STATS_CMD, OFNIC_STATS_CMD_DUMP);
	err = readl_poll_timeout(priv->regs + OFNIC_REG_STATS_CMD, val,
				 !(val & OFNIC_STATS_CMD_DUMP), 10, OFNIC_STATS_TIMEOUT_US);
	if (err) {
		if (net_ratelimit())
			netdev_warn(priv->netdev, "statistics dump timed out\n");
		return err;
	}
	/* the block is complete once the command bit reads 0 */
	dma_rmb();

	return 0;
}

/*
 * Refresh the cache of device counters from a new dump, unless the cache is younger than
 * max_age jiffies (0: always). Sleeps. A failed dump leaves the last values: the device's
 * counters only grow between resets, and the cache (hw_base added) from probe to remove.
 */
void ofnic_hw_stats_refresh(struct ofnic_priv *priv, unsigned long max_age)
{
	unsigned int i, n = OFNIC_GSTAT_NUM + priv->hw_queues * OFNIC_QSTAT_NUM;
	unsigned long flags;

	mutex_lock(&priv->stats_lock);
	if (max_age && priv->hw_cache_time &&
	    time_before(jiffies, priv->hw_cache_time + max_age))
		goto out;
	if (ofnic_hw_stats_dump(priv))
		goto out;
	flags = u64_stats_update_begin_irqsave(&priv->hw_cache_sync);
	for (i = 0; i < n; i++)
		priv->hw_cache[i] = priv->hw_base[i] + le64_to_cpu(priv->hw_stats[i]);
	u64_stats_update_end_irqrestore(&priv->hw_cache_sync, flags);
	priv->hw_cache_time = jiffies;
out:
	mutex_unlock(&priv->stats_lock);
}

/*
 * After a device reset: the counters start again from 0, the cache from what it last held.
 * What the device counted since the last dump is lost.
 */
void ofnic_hw_stats_rebase(struct ofnic_priv *priv)
{
	unsigned int n = OFNIC_GSTAT_NUM + priv->hw_queues * OFNIC_QSTAT_NUM;

	mutex_lock(&priv->stats_lock);
	memcpy(priv->hw_base, priv->hw_cache, n * sizeof(u64));
	mutex_unlock(&priv->stats_lock);
}

/* n cached device counters from index first (OFNIC_GSTAT_*, ofnic_hw_qstat_idx()); any context */
void ofnic_hw_stats_read(struct ofnic_priv *priv, u64 *dst, unsigned int first, unsigned int n)
{
	ofnic_stats_fetch(&priv->hw_cache_sync, dst, priv->hw_cache + first, n * sizeof(u64));
}

/* Periodic housekeeping from probe to remove: the counters ndo_get_stats64 reports */
void ofnic_service_task(struct work_struct *work)
{
	struct ofnic_priv *priv = container_of(to_delayed_work(work), struct ofnic_priv,
					       service_task);

	ofnic_hw_stats_refresh(priv, 0);
	schedule_delayed_work(&priv->service_task, OFNIC_SERVICE_PERIOD);
}

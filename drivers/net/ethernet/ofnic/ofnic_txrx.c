// SPDX-License-Identifier: GPL-2.0
/* ofnic: rings, transmit, NAPI poll, receive */

#include <linux/bitfield.h>
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/gro.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/netdev_queues.h>
#include <net/page_pool/helpers.h>
#include <net/tcp.h>

#include "ofnic.h"

/* One more of a ring's transmit-path counter; the TX queue lock serializes the writers */
static void ofnic_xmit_stat_inc(struct ofnic_ring *ring, u64 *counter)
{
	u64_stats_update_begin(&ring->stats->tx_xmit_sync);
	(*counter)++;
	u64_stats_update_end(&ring->stats->tx_xmit_sync);
}

/* ------------------------------------------------------------------------------------------
 * Ring memory
 */

static int ofnic_ring_alloc_desc(struct ofnic_ring *ring, size_t extra)
{
	ring->dma_size = (size_t)ring->size * 16 + extra;
	ring->desc = dma_alloc_coherent(ring->dev, ring->dma_size, &ring->dma, GFP_KERNEL);
	if (!ring->desc)
		return -ENOMEM;

	return 0;
}

static void ofnic_ring_free_desc(struct ofnic_ring *ring)
{
	if (!ring->desc)
		return;
	dma_free_coherent(ring->dev, ring->dma_size, ring->desc, ring->dma);
	ring->desc = NULL;
}

static void ofnic_ring_init(struct ofnic_priv *priv, struct ofnic_q_vector *qv,
			    struct ofnic_ring *ring, u32 size, u32 qbase)
{
	ring->dev = &priv->pdev->dev;
	ring->netdev = priv->netdev;
	ring->qv = qv;
	ring->qid = qv->idx;
	ring->stats = &priv->qstats[qv->idx];
	ring->size = size;
	ring->size_mask = size - 1;
	ring->tail_reg = priv->regs + qbase + OFNIC_Q_TAIL;
}

static int ofnic_tx_ring_alloc(struct ofnic_priv *priv, struct ofnic_q_vector *qv)
{
	struct ofnic_ring *ring = &qv->tx;
	size_t desc_bytes;
	int err;

	ofnic_ring_init(priv, qv, ring, priv->tx_ring_size, OFNIC_TXQ(qv->idx));
	ring->txq = netdev_get_tx_queue(priv->netdev, qv->idx);
	ring->wake_thrs = min_t(u32, 2 * OFNIC_TX_DESC_NEEDED, ring->size - 1);

	ring->tx_buf = kvcalloc(ring->size, sizeof(*ring->tx_buf), GFP_KERNEL);
	if (!ring->tx_buf)
		return -ENOMEM;

	/* The head write-back word lives after the descriptors, in its own cache line */
	err = ofnic_ring_alloc_desc(ring, SMP_CACHE_BYTES);
	if (err)
		return err;
	desc_bytes = (size_t)ring->size * sizeof(struct ofnic_tx_desc);
	ring->head_wb = ring->desc + desc_bytes;
	ring->head_wb_dma = ring->dma + desc_bytes;

	return 0;
}

static int ofnic_rx_ring_alloc(struct ofnic_priv *priv, struct ofnic_q_vector *qv)
{
	struct page_pool_params pp = {
		.flags = PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV,
		.order = 0,
		.nid = dev_to_node(&priv->pdev->dev),
		.dev = &priv->pdev->dev,
		.napi = &qv->napi,
		.netdev = priv->netdev,
		.queue_idx = qv->idx,
		.dma_dir = DMA_FROM_DEVICE,
		/* fragments share pages: sync whole pages when they are recycled */
		.offset = 0,
		.max_len = PAGE_SIZE,
	};
	struct ofnic_ring *ring = &qv->rx;
	struct page_pool *pool;
	int err;

	ofnic_ring_init(priv, qv, ring, priv->rx_ring_size, OFNIC_RXQ(qv->idx));

	ring->rx_buf = kvcalloc(ring->size, sizeof(*ring->rx_buf), GFP_KERNEL);
	if (!ring->rx_buf)
		return -ENOMEM;

	err = ofnic_ring_alloc_desc(ring, 0);
	if (err)
		return err;

	pp.pool_size = ring->size;
	pool = page_pool_create(&pp);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	ring->pp = pool;

	return 0;
}

static void ofnic_tx_unmap(struct ofnic_ring *ring, struct ofnic_tx_buf *buf)
{
	switch (buf->map) {
	case OFNIC_TX_MAP_SINGLE:
		dma_unmap_single(ring->dev, dma_unmap_addr(buf, dma),
				 dma_unmap_len(buf, len), DMA_TO_DEVICE);
		break;
	case OFNIC_TX_MAP_PAGE:
		dma_unmap_page(ring->dev, dma_unmap_addr(buf, dma),
			       dma_unmap_len(buf, len), DMA_TO_DEVICE);
		break;
	}
	buf->map = OFNIC_TX_MAP_NONE;
}

/* The queue is disabled in the device: drop whatever was not completed */
static void ofnic_tx_ring_free(struct ofnic_ring *ring)
{
	struct ofnic_tx_buf *buf;
	u32 i;

	if (ring->tx_buf) {
		for (i = 0; i < ring->size; i++) {
			buf = &ring->tx_buf[i];
			ofnic_tx_unmap(ring, buf);
			if (buf->skb) {
				dev_kfree_skb_any(buf->skb);
				buf->skb = NULL;
			}
		}
		kvfree(ring->tx_buf);
		ring->tx_buf = NULL;
	}
	if (ring->txq)
		netdev_tx_reset_queue(ring->txq);
	ofnic_ring_free_desc(ring);
}

static void ofnic_rx_ring_free(struct ofnic_ring *ring)
{
	struct ofnic_rx_buf *buf;
	u32 i;

	if (ring->skb) {
		dev_kfree_skb_any(ring->skb);
		ring->skb = NULL;
		ring->frag_skb = NULL;
	}
	if (ring->rx_buf) {
		for (i = 0; i < ring->size; i++) {
			buf = &ring->rx_buf[i];
			if (!buf->page)
				continue;
			page_pool_put_full_page(ring->pp, buf->page, false);
			buf->page = NULL;
		}
		kvfree(ring->rx_buf);
		ring->rx_buf = NULL;
	}
	/* NAPI is disabled but not yet deleted, as the pool expects */
	if (ring->pp) {
		page_pool_destroy(ring->pp);
		ring->pp = NULL;
	}
	ofnic_ring_free_desc(ring);
}

/* Free the rings and NAPI contexts; NAPI must be disabled and the queues stopped */
void ofnic_free_queues(struct ofnic_priv *priv)
{
	struct ofnic_q_vector *qv;
	u16 i;

	if (!priv->qv)
		return;

	for (i = 0; i < priv->num_queues; i++) {
		qv = &priv->qv[i];
		ofnic_tx_ring_free(&qv->tx);
		ofnic_rx_ring_free(&qv->rx);
		if (qv->napi_added) {
			cancel_work_sync(&qv->rx_dim.work);
			cancel_work_sync(&qv->tx_dim.work);
			netif_napi_del(&qv->napi);
		}
	}
	kfree(priv->qv);
	priv->qv = NULL;
}

static void ofnic_schedule_refill(struct ofnic_q_vector *qv, unsigned long delay)
{
	struct ofnic_priv *priv = qv->priv;

	spin_lock_bh(&priv->refill_lock);
	if (priv->refill_enabled)
		schedule_delayed_work(&qv->refill, delay);
	spin_unlock_bh(&priv->refill_lock);
}

/* Refill the RX ring NAPI left empty, with NAPI held off; again later if it is still empty */
static void ofnic_refill_work(struct work_struct *work)
{
	struct ofnic_q_vector *qv = container_of(to_delayed_work(work), struct ofnic_q_vector,
						 refill);

	napi_disable(&qv->napi);
	ofnic_rx_fill(&qv->rx, GFP_KERNEL);
	napi_enable(&qv->napi);
	/* still empty: again in 100 ms (pending, so the poll below does not queue it sooner) */
	if (qv->rx.head == qv->rx.tail)
		ofnic_schedule_refill(qv, HZ / 10);
	/*
	 * Poll once, whatever the fill did: an interrupt that came while NAPI was disabled (a
	 * TX completion, or RX into the new buffers) was not taken, and the one-shot vector
	 * stays silent until a poll re-arms it.
	 */
	local_bh_disable();
	napi_schedule(&qv->napi);
	local_bh_enable();
}

/* At ofnic_up() and ofnic_down(); the works are waited for before NAPI goes away */
void ofnic_refill_enable(struct ofnic_priv *priv, bool on)
{
	u16 i;

	spin_lock_bh(&priv->refill_lock);
	priv->refill_enabled = on;
	spin_unlock_bh(&priv->refill_lock);
	if (!on)
		for (i = 0; i < priv->num_queues; i++)
			cancel_delayed_work_sync(&priv->qv[i].refill);
}

int ofnic_alloc_queues(struct ofnic_priv *priv)
{
	struct ofnic_q_vector *qv;
	int err;
	u16 i;

	priv->qv = kcalloc(priv->num_queues, sizeof(*priv->qv), GFP_KERNEL);
	if (!priv->qv)
		return -ENOMEM;

	for (i = 0; i < priv->num_queues; i++) {
		qv = &priv->qv[i];
		qv->priv = priv;
		qv->idx = i;
		qv->vec = i + 1;
		ofnic_dim_init(qv);
		INIT_DELAYED_WORK(&qv->refill, ofnic_refill_work);
		/* per-queue NAPI config: ID, IRQ affinity and settings survive -L and down/up */
		netif_napi_add_config(priv->netdev, &qv->napi, ofnic_poll, i);
		qv->napi_added = true;

		err = ofnic_tx_ring_alloc(priv, qv);
		if (err)
			goto err_free;
		err = ofnic_rx_ring_alloc(priv, qv);
		if (err)
			goto err_free;
	}

	return 0;

err_free:
	ofnic_free_queues(priv);
	return err;
}

/* ------------------------------------------------------------------------------------------
 * Transmit
 */

static u32 ofnic_tx_unused(const struct ofnic_ring *ring)
{
	return (READ_ONCE(ring->head) - READ_ONCE(ring->tail) - 1) & ring->size_mask;
}

static struct ofnic_tx_desc *ofnic_tx_fill(struct ofnic_ring *ring, u32 idx, dma_addr_t dma,
					   u32 len, enum ofnic_tx_map map)
{
	struct ofnic_tx_desc *desc = (struct ofnic_tx_desc *)ring->desc + idx;
	struct ofnic_tx_buf *buf = &ring->tx_buf[idx];

	buf->map = map;
	dma_unmap_addr_set(buf, dma, dma);
	dma_unmap_len_set(buf, len, len);

	desc->addr = cpu_to_le64(dma);
	desc->len = cpu_to_le32(len);
	desc->rsvd = 0;
	desc->cmd = cpu_to_le16(FIELD_PREP(OFNIC_TXD_TYPE_MASK, OFNIC_TXD_TYPE_DATA));

	return desc;
}

static void ofnic_tx_write_ctx(struct ofnic_ring *ring, u32 idx,
			       const struct ofnic_tx_offload *off)
{
	struct ofnic_tx_ctx_desc *ctx = (struct ofnic_tx_ctx_desc *)ring->desc + idx;

	BUILD_BUG_ON(sizeof(*ctx) != sizeof(struct ofnic_tx_desc));
	*ctx = off->ctx;
	/* a slot without a mapping or an skb: cleaning passes over it */
	ring->tx_buf[idx].map = OFNIC_TX_MAP_NONE;
}

static void ofnic_tx_count_offload(struct ofnic_ring *ring, const struct ofnic_tx_offload *off)
{
	struct ofnic_qstats *qs = ring->stats;
	struct ofnic_tx_xmit_stats *s = &qs->tx_xmit;

	if (!off->offload)
		return;

	u64_stats_update_begin(&qs->tx_xmit_sync);
	if (off->offload & OFNIC_TXC_SEG_MASK) {
		s->gso_pkts++;
		s->gso_bytes += off->len;
		s->gso_wire_pkts += off->wire_pkts;
		s->gso_wire_bytes += off->wire_bytes;
	}
	if (off->offload & (OFNIC_TXC_L4_CSUM | OFNIC_TXC_SCTP_CRC))
		s->needs_csum += off->wire_pkts;
	if (off->offload & OFNIC_TXC_VLAN)
		s->vlan++;
	u64_stats_update_end(&qs->tx_xmit_sync);
}

/*
 * Write the packet's context descriptor, if it has one, map the skb onto data descriptors
 * and ring the doorbell; unwinds on failure
 */
static int ofnic_tx_map(struct ofnic_ring *ring, struct sk_buff *skb,
			const struct ofnic_tx_offload *off)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	struct ofnic_tx_desc *desc = NULL;
	struct ofnic_tx_buf *buf;
	u32 first = ring->tail;
	unsigned int i, len;
	dma_addr_t dma;
	u32 tail;

	tail = first;
	if (off->offload) {
		ofnic_tx_write_ctx(ring, tail, off);
		tail = (tail + 1) & ring->size_mask;
	}

	len = skb_headlen(skb);
	if (len) {
		if (len > OFNIC_TXD_MAX_LEN)
			goto err_unmap;
		dma = dma_map_single(ring->dev, skb->data, len, DMA_TO_DEVICE);
		if (dma_mapping_error(ring->dev, dma))
			goto err_unmap;
		desc = ofnic_tx_fill(ring, tail, dma, len, OFNIC_TX_MAP_SINGLE);
		tail = (tail + 1) & ring->size_mask;
	}

	for (i = 0; i < shinfo->nr_frags; i++) {
		skb_frag_t *frag = &shinfo->frags[i];

		len = skb_frag_size(frag);
		if (!len)
			continue;
		if (len > OFNIC_TXD_MAX_LEN)
			goto err_unmap;
		dma = skb_frag_dma_map(ring->dev, frag, 0, len, DMA_TO_DEVICE);
		if (dma_mapping_error(ring->dev, dma))
			goto err_unmap;
		desc = ofnic_tx_fill(ring, tail, dma, len, OFNIC_TX_MAP_PAGE);
		tail = (tail + 1) & ring->size_mask;
	}

	if (unlikely(!desc))
		goto err_unmap;
	desc->cmd |= cpu_to_le16(OFNIC_TXD_EOP);

	/* BQL and the completion counters see the packet as it goes on the wire */
	buf = &ring->tx_buf[(tail - 1) & ring->size_mask];
	buf->skb = skb;
	buf->bytes = off->wire_bytes;
	buf->pkts = off->wire_pkts;

	ofnic_tx_count_offload(ring, off);
	skb_tx_timestamp(skb);

	WRITE_ONCE(ring->tail, tail);

	/* Keep room for a worst-case packet */
	if (!netif_txq_maybe_stop(ring->txq, ofnic_tx_unused(ring), OFNIC_TX_DESC_NEEDED,
				  ring->wake_thrs))
		ofnic_xmit_stat_inc(ring, &ring->stats->tx_xmit.stops);

	if (__netdev_tx_sent_queue(ring->txq, off->wire_bytes, netdev_xmit_more()))
		writel(tail, ring->tail_reg);

	return 0;

err_unmap:
	while (tail != first) {
		tail = (tail - 1) & ring->size_mask;
		ofnic_tx_unmap(ring, &ring->tx_buf[tail]);
	}
	ofnic_xmit_stat_inc(ring, &ring->stats->tx_xmit.dma_errors);

	return -EIO;
}

netdev_tx_t ofnic_start_xmit(struct sk_buff *skb, struct net_device *netdev)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	u16 qid = skb_get_queue_mapping(skb);
	struct ofnic_tx_offload off;
	struct ofnic_ring *ring;

	if (unlikely(qid >= priv->num_queues || !priv->qv)) {
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	ring = &priv->qv[qid].tx;

	if (unlikely(skb->len < OFNIC_MIN_FRAME || skb->len > OFNIC_TX_MAX_PKT_LEN))
		goto drop;

	/*
	 * One data descriptor per buffer. MAX_SKB_FRAGS (17 by default, up to 45) may exceed
	 * what the device takes for one packet. tso_max_size keeps every buffer of a
	 * linearized skb within one descriptor.
	 */
	if (skb_shinfo(skb)->nr_frags + 1 > OFNIC_TX_MAX_DESCS_PER_PKT) {
		if (skb_linearize(skb))
			goto drop;
		ofnic_xmit_stat_inc(ring, &ring->stats->tx_xmit.linearized);
	}

	/*
	 * OFNIC_TX_DESC_NEEDED counts the context descriptor. Should not happen: the queue is
	 * stopped before it gets this full. Stopped here, it is checked again: a completion
	 * between the two may have made room and found the queue still awake.
	 */
	if (unlikely(!netif_txq_maybe_stop(ring->txq, ofnic_tx_unused(ring), OFNIC_TX_DESC_NEEDED,
					   OFNIC_TX_DESC_NEEDED))) {
		ofnic_xmit_stat_inc(ring, &ring->stats->tx_xmit.busy);
		writel(ring->tail, ring->tail_reg);
		return NETDEV_TX_BUSY;
	}

	if (unlikely(ofnic_tx_offload(priv, skb, &off)))
		goto drop;

	if (ofnic_tx_map(ring, skb, &off))
		goto drop;

	return NETDEV_TX_OK;

drop:
	dev_kfree_skb_any(skb);
	ofnic_xmit_stat_inc(ring, &ring->stats->tx_xmit.drops);
	/* An earlier packet may have deferred its doorbell to this one */
	if (!netdev_xmit_more())
		writel(ring->tail, ring->tail_reg);

	return NETDEV_TX_OK;
}

static void ofnic_clean_tx(struct ofnic_ring *ring, int napi_budget)
{
	u32 head, clean = ring->head;
	struct ofnic_tx_buf *buf;
	unsigned int bytes = 0;
	unsigned int pkts = 0;
	bool woken;

	head = le32_to_cpu(READ_ONCE(*ring->head_wb));
	if (unlikely(head >= ring->size)) {
		netdev_err_once(ring->netdev, "TX queue %u: bad head write-back %u\n",
				ring->qid, head);
		return;
	}
	if (head == clean)
		return;
	/* the device has read the buffers before it wrote HEAD */
	dma_rmb();

	while (clean != head) {
		buf = &ring->tx_buf[clean];
		ofnic_tx_unmap(ring, buf);
		if (buf->skb) {
			pkts += buf->pkts;
			bytes += buf->bytes;
			napi_consume_skb(buf->skb, napi_budget);
			buf->skb = NULL;
		}
		clean = (clean + 1) & ring->size_mask;
	}
	WRITE_ONCE(ring->head, clean);

	woken = !netif_txq_completed_wake(ring->txq, pkts, bytes, ofnic_tx_unused(ring),
					  ring->wake_thrs);

	u64_stats_update_begin(&ring->stats->tx_cmpl_sync);
	ring->stats->tx_cmpl.packets += pkts;
	ring->stats->tx_cmpl.bytes += bytes;
	ring->stats->tx_cmpl.wakes += woken;
	u64_stats_update_end(&ring->stats->tx_cmpl_sync);
}

/* ------------------------------------------------------------------------------------------
 * Receive
 */

static u32 ofnic_rx_unused(const struct ofnic_ring *ring)
{
	return (ring->head - ring->tail - 1) & ring->size_mask;
}

static bool ofnic_rx_alloc_buf(struct ofnic_ring *ring, u32 idx, gfp_t gfp)
{
	union ofnic_rx_slot *slot = (union ofnic_rx_slot *)ring->desc + idx;
	struct ofnic_rx_buf *buf = &ring->rx_buf[idx];
	unsigned int offset;
	struct page *page;

	if (ofnic_fault(&ring->qv->priv->fail_rx_alloc))
		return false;
	page = page_pool_alloc_frag(ring->pp, &offset, OFNIC_RX_TRUESIZE, gfp);
	if (unlikely(!page))
		return false;

	buf->page = page;
	buf->offset = offset;
	slot->desc.addr = cpu_to_le64(page_pool_get_dma_addr(page) + offset +
				      OFNIC_RX_HEADROOM);
	slot->desc.rsvd = 0;

	return true;
}

/* Post buffers to every free slot; one doorbell for the batch */
int ofnic_rx_fill(struct ofnic_ring *ring, gfp_t gfp)
{
	u32 n = ofnic_rx_unused(ring);
	u32 tail = ring->tail;
	int err = 0;

	while (n--) {
		if (!ofnic_rx_alloc_buf(ring, tail, gfp)) {
			u64_stats_update_begin(&ring->stats->rx_sync);
			ring->stats->rx.alloc_fail++;
			u64_stats_update_end(&ring->stats->rx_sync);
			err = -ENOMEM;
			break;
		}
		tail = (tail + 1) & ring->size_mask;
	}

	if (tail != ring->tail) {
		ring->tail = tail;
		writel(tail, ring->tail_reg);
	}

	return err;
}

static void ofnic_rx_hash(struct sk_buff *skb, const struct ofnic_rx_cmpl *cmpl, u32 status)
{
	switch (FIELD_GET(OFNIC_RXC_HASH_TYPE_MASK, status)) {
	case OFNIC_RXC_HASH_L3:
		skb_set_hash(skb, le32_to_cpu(cmpl->rss_hash), PKT_HASH_TYPE_L3);
		break;
	case OFNIC_RXC_HASH_L4:
		skb_set_hash(skb, le32_to_cpu(cmpl->rss_hash), PKT_HASH_TYPE_L4);
		break;
	}
}

/* What the device found of the checksums, counted as the queue statistics report it */
static void ofnic_rx_csum(struct sk_buff *skb, u32 status, struct ofnic_rx_stats *cnt)
{
	if (status & OFNIC_RXC_CSUM_ERR) {
		cnt->csum_bad++;
	} else if (status & OFNIC_RXC_L4_CSUM_OK) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		skb->csum_level = FIELD_GET(OFNIC_RXC_CSUM_LEVEL_MASK, status);
		cnt->csum_ok++;
		return;
	}
	/* IPv4 header only, nothing or something wrong: the stack checks */
	skb_checksum_none_assert(skb);
	cnt->csum_none++;
}

/*
 * A coalesced TCP packet (LRO or HW-GRO): seg_count segments of mss payload bytes merged
 * behind the first segment's headers, the TCP checksum recomputed over the whole. It becomes
 * a GSO packet. With HW-GRO the device followed the stack's GRO rules, so it is completed as
 * software GRO completes a packet (as idpf_rx_rsc() does): CHECKSUM_PARTIAL over a
 * pseudo-header checksum, and the stack can segment it again exactly when forwarding it. An
 * LRO packet is only for local delivery (the core turns LRO off for forwarding) and stays
 * CHECKSUM_UNNECESSARY.
 *
 * skb->data is at the network header or a VLAN tag left in the frame. The completion says
 * which IPv4 IDs stayed fixed: the FIXEDID GSO flags make re-segmentation keep them so.
 * Returns the length of the headers in front of each segment's payload, or 0 if the packet is
 * not what the completion says.
 */
/* The IP header at off (proto: its ethertype): where the next header starts, and its protocol */
static int ofnic_rsc_l3(struct sk_buff *skb, unsigned int off, __be16 proto,
			unsigned int *next, u8 *nexthdr)
{
	if (proto == htons(ETH_P_IP)) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, off + sizeof(*iph)))
			return -EINVAL;
		iph = (const struct iphdr *)(skb->data + off);
		if (iph->version != 4 || iph->ihl < 5)
			return -EINVAL;
		*next = off + iph->ihl * 4;
		*nexthdr = iph->protocol;
		return 0;
	}
	if (proto == htons(ETH_P_IPV6)) {
		__be16 frag_off;
		int n;

		if (!pskb_may_pull(skb, off + sizeof(struct ipv6hdr)))
			return -EINVAL;
		*nexthdr = ((const struct ipv6hdr *)(skb->data + off))->nexthdr;
		n = ipv6_skip_exthdr(skb, off + sizeof(struct ipv6hdr), nexthdr, &frag_off);
		if (n < 0 || frag_off)
			return -EINVAL;
		*next = n;
		return 0;
	}
	return -EINVAL;
}

/*
 * IP-in-IP (datasheet "Coalescing": the completion's L3 type is the outer header's) is
 * completed as ipip_gro_complete()/ip6ip6_gro_complete() and inet/ipv6_gro_complete() do:
 * encapsulation, SKB_GSO_IPXIP4/6, inner protocol and header offsets, the TCP pseudo-header
 * checksum over the inner addresses.
 */
static unsigned int ofnic_rx_rsc(struct sk_buff *skb, const struct ofnic_rx_cmpl *cmpl,
				 u32 status, bool gro)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	u16 segs = le16_to_cpu(cmpl->seg_count);
	u16 mss = le16_to_cpu(cmpl->mss);
	unsigned int nhoff = 0, inner, thoff, hlen, l3type;
	__be16 proto = skb->protocol, iproto;
	unsigned int encap = 0;
	struct tcphdr *th;
	u8 nexthdr;
	int depth;

	if (segs < 2 || !mss ||
	    FIELD_GET(OFNIC_RXC_L4_MASK, status) != OFNIC_RXC_L4_TCP)
		return 0;

	for (depth = 0; eth_type_vlan(proto) && depth < 2; depth++) {
		if (!pskb_may_pull(skb, nhoff + VLAN_HLEN))
			return 0;
		proto = ((struct vlan_hdr *)(skb->data + nhoff))->h_vlan_encapsulated_proto;
		nhoff += VLAN_HLEN;
	}

	l3type = FIELD_GET(OFNIC_RXC_L3_MASK, status);
	if (!(proto == htons(ETH_P_IP) && l3type == OFNIC_RXC_L3_IPV4) &&
	    !(proto == htons(ETH_P_IPV6) && l3type == OFNIC_RXC_L3_IPV6))
		return 0;
	if (ofnic_rsc_l3(skb, nhoff, proto, &thoff, &nexthdr))
		return 0;
	inner = nhoff;
	iproto = proto;
	if (nexthdr == IPPROTO_IPIP || nexthdr == IPPROTO_IPV6) {
		encap = proto == htons(ETH_P_IP) ? SKB_GSO_IPXIP4 : SKB_GSO_IPXIP6;
		inner = thoff;
		iproto = htons(nexthdr == IPPROTO_IPIP ? ETH_P_IP : ETH_P_IPV6);
		if (ofnic_rsc_l3(skb, inner, iproto, &thoff, &nexthdr))
			return 0;
	}
	if (nexthdr != IPPROTO_TCP)
		return 0;

	if (!pskb_may_pull(skb, thoff + sizeof(*th)))
		return 0;
	hlen = thoff + __tcp_hdrlen((struct tcphdr *)(skb->data + thoff));
	if (hlen < thoff + sizeof(*th) || !pskb_may_pull(skb, hlen) || skb->len <= hlen)
		return 0;

	skb_set_network_header(skb, nhoff);
	skb_set_transport_header(skb, thoff);
	shinfo->gso_type = (iproto == htons(ETH_P_IP) ? SKB_GSO_TCPV4 : SKB_GSO_TCPV6) | encap;
	if (encap) {
		skb->encapsulation = 1;
		skb_set_inner_protocol(skb, iproto);
		skb_set_inner_network_header(skb, inner);
		skb_set_inner_transport_header(skb, thoff);
	}
	if (status & OFNIC_RXC_FIXEDID)
		shinfo->gso_type |= encap ? OFNIC_GSO_FIXEDID_OUTER : SKB_GSO_TCP_FIXEDID;
	if (status & OFNIC_RXC_FIXEDID_INNER)
		shinfo->gso_type |= OFNIC_GSO_FIXEDID_INNER;
	th = tcp_hdr(skb);
	shinfo->gso_size = mss;
	shinfo->gso_segs = segs;

	if (!gro) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		if (th->cwr)
			shinfo->gso_type |= SKB_GSO_TCP_ECN;
		return hlen;
	}

	if (iproto == htons(ETH_P_IP)) {
		const struct iphdr *iph = (const struct iphdr *)(skb->data + inner);

		th->check = ~tcp_v4_check(skb->len - thoff, iph->saddr, iph->daddr, 0);
	} else {
		const struct ipv6hdr *ip6h = (const struct ipv6hdr *)(skb->data + inner);

		th->check = ~tcp_v6_check(skb->len - thoff, &ip6h->saddr, &ip6h->daddr, 0);
	}
	NAPI_GRO_CB(skb)->count = segs;
	tcp_gro_complete(skb);

	return hlen;
}

/* The packet is whole: metadata from its first completion (ring->first), then up the stack */
static void ofnic_rx_deliver(struct ofnic_ring *ring, struct sk_buff *skb,
			     struct ofnic_rx_stats *cnt)
{
	const struct ofnic_rx_cmpl *cmpl = &ring->first;
	netdev_features_t features = ring->netdev->features;
	u32 status = le32_to_cpu(cmpl->status);
	unsigned int len = skb->len;	/* with the Ethernet header, as the device counts */
	unsigned int hlen, wire_pkts = 1, wire_bytes = len;
	bool gro;

	skb_record_rx_queue(skb, ring->qid);
	if (features & NETIF_F_RXHASH)
		ofnic_rx_hash(skb, cmpl, status);
	/* a tag the device stripped is the packet's whatever the feature says now */
	if (status & OFNIC_RXC_VLAN)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), le16_to_cpu(cmpl->vlan_tci));
	skb->protocol = eth_type_trans(skb, ring->netdev);

	if (status & OFNIC_RXC_COALESCED) {
		/*
		 * The device says which rules merged it; one before 2.2 does not, and the
		 * feature bits may lag a switch from LRO to HW-GRO
		 */
		if (ring->qv->priv->rxc_lro)
			gro = !(status & OFNIC_RXC_LRO);
		else
			gro = !(features & NETIF_F_LRO);
		hlen = ofnic_rx_rsc(skb, cmpl, status, gro);
		if (unlikely(!hlen)) {
			netdev_err_once(ring->netdev, "RX queue %u: bad coalesced packet\n",
					ring->qid);
			cnt->bad_cmpl++;
			cnt->drops++;
			kfree_skb_reason(skb, SKB_DROP_REASON_DEV_HDR);
			return;
		}
		wire_pkts = skb_shinfo(skb)->gso_segs;
		wire_bytes = len + (wire_pkts - 1) * (ETH_HLEN + hlen);
		if (gro) {
			cnt->gro_pkts++;
			cnt->gro_bytes += len;
			cnt->gro_wire_pkts += wire_pkts;
			cnt->gro_wire_bytes += wire_bytes;
		} else {
			cnt->lro_pkts++;
			cnt->lro_segs += wire_pkts;
			cnt->csum_ok++;
		}
	} else if (features & NETIF_F_RXCSUM) {
		ofnic_rx_csum(skb, status, cnt);
	} else {
		cnt->csum_none++;
	}

	/* wire packets, as qstats define rx-packets: a coalesced packet counts its segments */
	cnt->packets += wire_pkts;
	cnt->bytes += wire_bytes;
	napi_gro_receive(&ring->qv->napi, skb);
}

/* Start a packet with its first buffer, which also carries the metadata */
static struct sk_buff *ofnic_rx_first(struct ofnic_ring *ring, struct page *page,
				      unsigned int offset, const struct ofnic_rx_cmpl *cmpl,
				      unsigned int len)
{
	struct sk_buff *skb;
	void *va;

	va = page_address(page) + offset;
	net_prefetch(va + OFNIC_RX_HEADROOM);

	skb = napi_build_skb(va, OFNIC_RX_TRUESIZE);
	if (unlikely(!skb))
		return NULL;

	skb_mark_for_recycle(skb);
	skb_reserve(skb, OFNIC_RX_HEADROOM);
	__skb_put(skb, len);
	ring->first = *cmpl;
	ring->frag_skb = skb;

	return skb;
}

/*
 * Add a further buffer of the packet. A coalesced packet can take more buffers than an skb
 * has frags (MAX_SKB_FRAGS): the rest go to skbs chained on the frag_list.
 */
static enum skb_drop_reason ofnic_rx_add_buf(struct ofnic_ring *ring, struct sk_buff *skb,
					     struct page *page, unsigned int offset,
					     unsigned int len)
{
	struct sk_buff *tail = ring->frag_skb;

	if (unlikely(skb->len + len > OFNIC_RX_MAX_LEN))
		return SKB_DROP_REASON_PKT_TOO_BIG;

	if (skb_shinfo(tail)->nr_frags == MAX_SKB_FRAGS) {
		struct sk_buff *nskb = napi_alloc_skb(&ring->qv->napi, 0);

		if (unlikely(!nskb))
			return SKB_DROP_REASON_NOMEM;
		skb_mark_for_recycle(nskb);
		if (tail == skb)
			skb_shinfo(skb)->frag_list = nskb;
		else
			tail->next = nskb;
		skb->truesize += nskb->truesize;
		ring->frag_skb = nskb;
		tail = nskb;
	}

	skb_add_rx_frag(tail, skb_shinfo(tail)->nr_frags, page, offset + OFNIC_RX_HEADROOM, len,
			OFNIC_RX_TRUESIZE);
	if (tail != skb) {
		skb->len += len;
		skb->data_len += len;
		skb->truesize += OFNIC_RX_TRUESIZE;
	}

	return SKB_NOT_DROPPED_YET;
}

/* A poll's RX counts into the queue's counters */
static void ofnic_rx_stats_add(struct ofnic_qstats *qs, const struct ofnic_rx_stats *n)
{
	struct ofnic_rx_stats *s = &qs->rx;

	u64_stats_update_begin(&qs->rx_sync);
	s->packets += n->packets;
	s->bytes += n->bytes;
	s->multi_buf += n->multi_buf;
	s->alloc_fail += n->alloc_fail;
	s->drops += n->drops;
	s->bad_cmpl += n->bad_cmpl;
	s->csum_ok += n->csum_ok;
	s->csum_none += n->csum_none;
	s->csum_bad += n->csum_bad;
	s->gro_pkts += n->gro_pkts;
	s->gro_bytes += n->gro_bytes;
	s->gro_wire_pkts += n->gro_wire_pkts;
	s->gro_wire_bytes += n->gro_wire_bytes;
	s->lro_pkts += n->lro_pkts;
	s->lro_segs += n->lro_segs;
	u64_stats_update_end(&qs->rx_sync);
}

static int ofnic_clean_rx(struct ofnic_ring *ring, int budget)
{
	struct ofnic_qstats *stats = ring->stats;
	struct sk_buff *skb = ring->skb;
	struct ofnic_rx_stats cnt = {};
	enum skb_drop_reason reason;
	u32 head = ring->head;
	int done = 0;

	while (done < budget && head != ring->tail) {
		union ofnic_rx_slot *slot = (union ofnic_rx_slot *)ring->desc + head;
		struct ofnic_rx_buf *buf = &ring->rx_buf[head];
		struct page *page = buf->page;
		unsigned int len;
		u32 status;

		status = le32_to_cpu(READ_ONCE(slot->cmpl.status));
		if (!(status & OFNIC_RXC_DD))
			break;
		/* the rest of the completion was written before DD */
		dma_rmb();

		len = le16_to_cpu(slot->cmpl.len);
		buf->page = NULL;
		head = (head + 1) & ring->size_mask;

		/* a completion longer than its buffer: the rest of the packet is not trusted */
		reason = SKB_DROP_REASON_DEV_HDR;
		if (unlikely(ring->discard || len > OFNIC_RX_BUF_SIZE))
			goto discard;

		dma_sync_single_range_for_cpu(ring->dev, page_pool_get_dma_addr(page),
					      buf->offset + OFNIC_RX_HEADROOM, len,
					      page_pool_get_dma_dir(ring->pp));

		if (!skb) {
			if (unlikely(len < ETH_HLEN))
				goto discard;
			skb = ofnic_rx_first(ring, page, buf->offset, &slot->cmpl, len);
			if (unlikely(!skb))
				goto discard;
		} else if (len) {
			reason = ofnic_rx_add_buf(ring, skb, page, buf->offset, len);
			if (unlikely(reason != SKB_NOT_DROPPED_YET))
				goto discard;
			/* counted at its second buffer */
			cnt.multi_buf += skb->data_len == len;
		} else {
			page_pool_recycle_direct(ring->pp, page);
		}

		if (!(status & OFNIC_RXC_EOP))
			continue;

		ofnic_rx_deliver(ring, skb, &cnt);
		skb = NULL;
		done++;
		continue;

discard:
		/* drop the whole packet: this buffer and the rest up to EOP */
		if (!ring->discard) {
			if (len > OFNIC_RX_BUF_SIZE)
				cnt.bad_cmpl++;
			cnt.drops++;
		}
		page_pool_recycle_direct(ring->pp, page);
		if (skb) {
			kfree_skb_reason(skb, reason);
			skb = NULL;
		}
		ring->discard = !(status & OFNIC_RXC_EOP);
		done++;
	}

	ring->skb = skb;
	ring->head = head;

	ofnic_rx_stats_add(stats, &cnt);

	if (ofnic_rx_unused(ring) >= OFNIC_RX_REFILL_BATCH)
		ofnic_rx_fill(ring, GFP_ATOMIC | __GFP_NOWARN);

	return done;
}

/* ------------------------------------------------------------------------------------------
 * Interrupt moderation
 */

/* Program queue q's moderation from what ethtool -C set, or DIM's start if adaptive */
void ofnic_coal_apply(struct ofnic_priv *priv, u16 q)
{
	const struct ofnic_coal *rx = &priv->rx_coal[q];
	const struct ofnic_coal *tx = &priv->tx_coal[q];
	struct dim_cq_moder m;

	if (!(priv->caps & OFNIC_CAP_ITR))
		return;

	if (rx->adaptive) {
		m = net_dim_get_def_rx_moderation(DIM_CQ_PERIOD_MODE_START_FROM_EQE);
		ofnic_hw_set_itr(priv, OFNIC_RXQ(q), m.usec, m.pkts);
	} else {
		ofnic_hw_set_itr(priv, OFNIC_RXQ(q), rx->usecs, rx->frames);
	}

	if (tx->adaptive) {
		m = net_dim_get_def_tx_moderation(DIM_CQ_PERIOD_MODE_START_FROM_EQE);
		ofnic_hw_set_itr(priv, OFNIC_TXQ(q), m.usec, m.pkts);
	} else {
		ofnic_hw_set_itr(priv, OFNIC_TXQ(q), tx->usecs, tx->frames);
	}
}

static void ofnic_rx_dim_work(struct work_struct *work)
{
	struct dim *dim = container_of(work, struct dim, work);
	struct ofnic_q_vector *qv = container_of(dim, struct ofnic_q_vector, rx_dim);
	struct dim_cq_moder m = net_dim_get_rx_moderation(dim->mode, dim->profile_ix);

	/* adaptive moderation may have been turned off since (ofnic_coal_set()) */
	if (READ_ONCE(qv->priv->rx_coal[qv->idx].adaptive))
		ofnic_hw_set_itr(qv->priv, OFNIC_RXQ(qv->idx), m.usec, m.pkts);
	dim->state = DIM_START_MEASURE;
}

static void ofnic_tx_dim_work(struct work_struct *work)
{
	struct dim *dim = container_of(work, struct dim, work);
	struct ofnic_q_vector *qv = container_of(dim, struct ofnic_q_vector, tx_dim);
	struct dim_cq_moder m = net_dim_get_tx_moderation(dim->mode, dim->profile_ix);

	if (READ_ONCE(qv->priv->tx_coal[qv->idx].adaptive))
		ofnic_hw_set_itr(qv->priv, OFNIC_TXQ(qv->idx), m.usec, m.pkts);
	dim->state = DIM_START_MEASURE;
}

void ofnic_dim_init(struct ofnic_q_vector *qv)
{
	INIT_WORK(&qv->rx_dim.work, ofnic_rx_dim_work);
	qv->rx_dim.mode = DIM_CQ_PERIOD_MODE_START_FROM_EQE;
	INIT_WORK(&qv->tx_dim.work, ofnic_tx_dim_work);
	qv->tx_dim.mode = DIM_CQ_PERIOD_MODE_START_FROM_EQE;
}

/* At the end of a poll: feed DIM with what the queues have done so far */
static void ofnic_dim_update(struct ofnic_q_vector *qv)
{
	struct ofnic_priv *priv = qv->priv;
	struct dim_sample sample = {};
	const struct ofnic_qstats *qs = qv->rx.stats;

	/* this poll is the writer of both groups: no fetch loop needed */
	if (READ_ONCE(priv->rx_coal[qv->idx].adaptive)) {
		dim_update_sample(qv->events, qs->rx.packets, qs->rx.bytes, &sample);
		net_dim(&qv->rx_dim, &sample);
	}
	if (READ_ONCE(priv->tx_coal[qv->idx].adaptive)) {
		dim_update_sample(qv->events, qs->tx_cmpl.packets, qs->tx_cmpl.bytes, &sample);
		net_dim(&qv->tx_dim, &sample);
	}
}

int ofnic_poll(struct napi_struct *napi, int budget)
{
	struct ofnic_q_vector *qv = container_of(napi, struct ofnic_q_vector, napi);
	int work = 0;

	ofnic_clean_tx(&qv->tx, budget);

	/* budget 0 is netpoll: TX completions only */
	if (budget)
		work = ofnic_clean_rx(&qv->rx, budget);

	if (work >= budget)
		return budget;

	if (napi_complete_done(napi, work)) {
		/* Out of RX buffers: a work retries the allocation, NAPI does not spin on it */
		if (unlikely(qv->rx.head == qv->rx.tail))
			ofnic_schedule_refill(qv, 1);
		ofnic_dim_update(qv);
		ofnic_vec_arm(qv->priv, qv->vec);
	}

	return work;
}

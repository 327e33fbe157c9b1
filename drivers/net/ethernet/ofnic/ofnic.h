/* SPDX-License-Identifier: GPL-2.0 */
/* ofnic: driver private definitions */
#ifndef _OFNIC_H_
#define _OFNIC_H_

#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "ofnic_hw.h"

#define OFNIC_DRV_NAME			"ofnic"

#define OFNIC_DEFAULT_TX_RING		1024
#define OFNIC_DEFAULT_RX_RING		1024

/* Reset and statistics-dump completion timeouts, microseconds */
#define OFNIC_RESET_TIMEOUT_US		(500 * USEC_PER_MSEC)
#define OFNIC_STATS_TIMEOUT_US		(500 * USEC_PER_MSEC)

/* Largest buffer length a TX data descriptor can carry */
#define OFNIC_TXD_MAX_LEN		U16_MAX
/* Descriptors one packet may need: its data descriptors plus a context descriptor */
#define OFNIC_TX_DESC_NEEDED		(OFNIC_TX_MAX_DESCS_PER_PKT + 1)

/*
 * RX buffers are page_pool fragments of OFNIC_RX_TRUESIZE bytes. The device writes at
 * OFNIC_RX_HEADROOM into the fragment, and the tail keeps room for skb_shared_info so the
 * first buffer of a packet can become the skb head with napi_build_skb(). The layout does
 * not depend on the MTU: longer frames span several buffers.
 */
#define OFNIC_RX_HEADROOM		(NET_SKB_PAD + NET_IP_ALIGN)
#define OFNIC_RX_TRUESIZE		2048
#define OFNIC_RX_BUF_SIZE						\
	ALIGN_DOWN(OFNIC_RX_TRUESIZE - OFNIC_RX_HEADROOM -		\
		   SKB_DATA_ALIGN(sizeof(struct skb_shared_info)), 64)
#define OFNIC_RX_REFILL_BATCH		32

/*
 * Per-queue driver counters, in groups that each have exactly one writer context, as
 * u64_stats_sync requires: the NAPI poll for TX completions and RX, the ndo_start_xmit path
 * (serialized by the TX queue lock) for the transmit side. Names are in ofnic_ethtool.c.
 */
enum ofnic_tx_cmpl_stat {
	OFNIC_S_TX_PACKETS,
	OFNIC_S_TX_BYTES,
	OFNIC_S_TX_WAKES,
	OFNIC_TX_CMPL_NUM
};

enum ofnic_tx_xmit_stat {
	OFNIC_S_TX_STOPS,
	OFNIC_S_TX_BUSY,
	OFNIC_S_TX_LINEARIZED,
	OFNIC_S_TX_DROPS,
	OFNIC_S_TX_DMA_ERRORS,
	OFNIC_S_TX_GSO_PKTS,		/* TSO/USO/UFO packets handed to the device */
	OFNIC_S_TX_GSO_BYTES,		/* their length as handed over */
	OFNIC_S_TX_GSO_WIRE_PKTS,	/* the segments (fragments) they become */
	OFNIC_S_TX_GSO_WIRE_BYTES,	/* and their length on the wire */
	OFNIC_S_TX_NEEDS_CSUM,		/* wire packets whose L4 checksum the device fills */
	OFNIC_S_TX_VLAN,		/* packets the device tags */
	OFNIC_TX_XMIT_NUM
};

enum ofnic_rx_stat {
	OFNIC_S_RX_PACKETS,
	OFNIC_S_RX_BYTES,
	OFNIC_S_RX_MULTI_BUF,
	OFNIC_S_RX_ALLOC_FAIL,
	OFNIC_S_RX_DROPS,
	OFNIC_S_RX_BAD_CMPL,
	OFNIC_RX_NUM
};

#define OFNIC_STATS_GROUP_MAX		12

struct ofnic_stats {
	struct u64_stats_sync syncp;
	u64 v[OFNIC_STATS_GROUP_MAX];
};

/* Driver counters of one queue pair; they persist across ring reconfiguration */
struct ofnic_qstats {
	struct ofnic_stats tx_cmpl;
	struct ofnic_stats tx_xmit;
	struct ofnic_stats rx;
};

static inline void ofnic_stat_add(struct ofnic_stats *s, unsigned int i, u64 n)
{
	u64_stats_update_begin(&s->syncp);
	s->v[i] += n;
	u64_stats_update_end(&s->syncp);
}

static inline void ofnic_stats_read(const struct ofnic_stats *s, u64 *v, unsigned int n)
{
	unsigned int start, i;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		for (i = 0; i < n; i++)
			v[i] = s->v[i];
	} while (u64_stats_fetch_retry(&s->syncp, start));
}

enum ofnic_tx_map {
	OFNIC_TX_MAP_NONE,
	OFNIC_TX_MAP_SINGLE,
	OFNIC_TX_MAP_PAGE,
};

/*
 * Offloads of one packet, worked out before its descriptors are written: the context
 * descriptor (written ahead of the data descriptors when offload is not zero) and what the
 * packet becomes on the wire, for BQL and the counters.
 */
struct ofnic_tx_offload {
	struct ofnic_tx_ctx_desc ctx;
	u16 offload;			/* OFNIC_TXC_*, CPU order */
	u16 wire_pkts;
	u32 len;			/* skb->len */
	u32 wire_bytes;
};

/* Software state of one TX descriptor slot */
struct ofnic_tx_buf {
	struct sk_buff *skb;		/* on the last slot of a packet */
	DEFINE_DMA_UNMAP_ADDR(dma);
	DEFINE_DMA_UNMAP_LEN(len);
	u32 bytes;			/* BQL bytes, last slot only */
	u16 pkts;			/* wire packets, last slot only */
	u8 map;				/* enum ofnic_tx_map */
};

/* Software state of one RX descriptor slot */
struct ofnic_rx_buf {
	struct page *page;
	unsigned int offset;		/* of the fragment within the page */
};

/* An RX ring slot: a posted descriptor, later overwritten with a completion */
union ofnic_rx_slot {
	struct ofnic_rx_desc desc;
	struct ofnic_rx_cmpl cmpl;
};

struct ofnic_q_vector;

struct ofnic_ring {
	void *desc;			/* struct ofnic_tx_desc[] or union ofnic_rx_slot[] */
	union {
		struct ofnic_tx_buf *tx_buf;
		struct ofnic_rx_buf *rx_buf;
	};
	u8 __iomem *tail_reg;		/* doorbell */
	struct device *dev;		/* for DMA */
	struct net_device *netdev;
	struct ofnic_q_vector *qv;
	struct ofnic_qstats *stats;

	u32 size;			/* descriptors, a power of two */
	u32 size_mask;
	u32 head;			/* next slot to clean (consumer) */
	u32 tail;			/* next slot to fill (producer) */

	/* TX */
	struct netdev_queue *txq;
	__le32 *head_wb;		/* device-written HEAD */
	dma_addr_t head_wb_dma;
	u32 wake_thrs;

	/* RX */
	struct page_pool *pp;
	struct sk_buff *skb;		/* packet being assembled across buffers */
	bool discard;			/* drop buffers up to the next EOP */

	dma_addr_t dma;
	size_t dma_size;
	u16 qid;
};

/* One MSI-X vector: one queue pair, one NAPI context */
struct ofnic_q_vector {
	struct napi_struct napi;
	struct ofnic_priv *priv;
	struct ofnic_ring tx;
	struct ofnic_ring rx;
	u16 idx;			/* queue pair */
	u16 vec;			/* MSI-X vector, idx + 1 */
	int irq;
	bool irq_requested;
	bool napi_added;
	char name[IFNAMSIZ + 8];
} ____cacheline_aligned_in_smp;

struct ofnic_priv {
	struct net_device *netdev;
	struct pci_dev *pdev;
	u8 __iomem *regs;

	u64 caps;
	u32 version;
	u16 hw_queues;			/* OFNIC_REG_QUEUES */
	u16 max_queues;			/* usable: limited by MSI-X vectors */
	u32 ring_max;

	/* Segmentation limits (OFNIC_REG_TSO_LIMITS, OFNIC_REG_TSO_MAX_PAYLOAD) */
	u16 tso_min_mss;
	u16 tx_max_hdr;
	u32 tso_max_payload;

	/* Configuration applied at the next ofnic_up() */
	u16 num_queues;
	u32 tx_ring_size;
	u32 rx_ring_size;

	struct ofnic_q_vector *qv;	/* num_queues entries while up */
	bool up;

	int misc_irq;
	char misc_name[32];

	spinlock_t offload_lock;	/* offload_ctrl shadow vs. ndo_set_rx_mode */
	u32 offload_ctrl;
	u32 mc_filter[OFNIC_MC_FILTER_REGS];

	u8 rss_key[OFNIC_RSS_KEY_SIZE];
	u32 rss_indir[OFNIC_RSS_INDIR_SIZE];

	struct mutex stats_lock;	/* the device statistics buffer */
	__le64 *hw_stats;
	dma_addr_t hw_stats_dma;

	struct ofnic_qstats *qstats;	/* hw_queues entries */

	struct work_struct reset_task;
};

static inline u32 ofnic_rd32(struct ofnic_priv *priv, u32 reg)
{
	return readl(priv->regs + reg);
}

static inline void ofnic_wr32(struct ofnic_priv *priv, u32 reg, u32 val)
{
	writel(val, priv->regs + reg);
}

/* ofnic_main.c */
int ofnic_up(struct ofnic_priv *priv);
void ofnic_down(struct ofnic_priv *priv);
int ofnic_reconfigure(struct ofnic_priv *priv, u16 num_queues, u32 tx_ring_size,
		      u32 rx_ring_size);
void ofnic_update_link(struct ofnic_priv *priv);
void ofnic_schedule_reset(struct ofnic_priv *priv);

/* ofnic_hw.c */
int ofnic_hw_reset(struct ofnic_priv *priv);
void ofnic_hw_set_mac(struct ofnic_priv *priv, const u8 *addr);
void ofnic_hw_set_max_frame(struct ofnic_priv *priv, unsigned int mtu);
void ofnic_hw_rss_default(struct ofnic_priv *priv);
void ofnic_hw_rss_write(struct ofnic_priv *priv);
void ofnic_hw_update_offload(struct ofnic_priv *priv, u32 clear, u32 set);
void ofnic_hw_set_rx_mode(struct ofnic_priv *priv);
void ofnic_hw_txq_enable(struct ofnic_priv *priv, struct ofnic_ring *ring, u16 vec);
void ofnic_hw_rxq_enable(struct ofnic_priv *priv, struct ofnic_ring *ring, u16 vec);
void ofnic_hw_queues_disable(struct ofnic_priv *priv, u16 num_queues);
int ofnic_hw_stats_dump(struct ofnic_priv *priv);

/* ofnic_irq.c */
int ofnic_irq_init(struct ofnic_priv *priv);
void ofnic_irq_fini(struct ofnic_priv *priv);
int ofnic_misc_irq_request(struct ofnic_priv *priv);
void ofnic_misc_irq_free(struct ofnic_priv *priv);
int ofnic_queue_irqs_request(struct ofnic_priv *priv);
void ofnic_queue_irqs_free(struct ofnic_priv *priv);
void ofnic_vec_arm(struct ofnic_priv *priv, u16 vec);

/* ofnic_txrx.c */
int ofnic_alloc_queues(struct ofnic_priv *priv);
void ofnic_free_queues(struct ofnic_priv *priv);
int ofnic_rx_fill(struct ofnic_ring *ring, gfp_t gfp);
netdev_tx_t ofnic_start_xmit(struct sk_buff *skb, struct net_device *netdev);
int ofnic_poll(struct napi_struct *napi, int budget);

/* ofnic_offload.c */
void ofnic_set_features(struct ofnic_priv *priv);
int ofnic_set_features_hw(struct net_device *netdev, netdev_features_t features);
void ofnic_features_registered(struct ofnic_priv *priv);
netdev_features_t ofnic_fix_features(struct net_device *netdev, netdev_features_t features);
netdev_features_t ofnic_features_check(struct sk_buff *skb, struct net_device *netdev,
				       netdev_features_t features);
int ofnic_tx_offload(struct ofnic_priv *priv, struct sk_buff *skb, struct ofnic_tx_offload *off);

/* ofnic_ethtool.c */
void ofnic_set_ethtool_ops(struct net_device *netdev);

#endif /* _OFNIC_H_ */

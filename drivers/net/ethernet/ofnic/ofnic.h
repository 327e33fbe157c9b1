/* SPDX-License-Identifier: GPL-2.0 */
/* ofnic: driver private definitions */
#ifndef _OFNIC_H_
#define _OFNIC_H_

#include <linux/dim.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "ofnic_compat.h"
#include "ofnic_hw.h"

#define OFNIC_DRV_NAME			"ofnic"

#define OFNIC_DEFAULT_TX_RING		1024
#define OFNIC_DEFAULT_RX_RING		1024

/*
 * Interrupt moderation (ethtool -c) starts as the device resets it: none, static. Measured on
 * a TCG guest, where an interrupt costs little next to the emulation, 20/50 us static or
 * net_dim moved throughput and ping latency the wrong way (as virtio-net, off by default).
 */
#define OFNIC_DEFAULT_RX_USECS		0
#define OFNIC_DEFAULT_TX_USECS		0
#define OFNIC_ITR_MAX_USECS		0xffffU	/* OFNIC_Q_ITR_USECS_MASK */
#define OFNIC_ITR_MAX_FRAMES		1024U	/* OFNIC_Q_ITR caps FRAMES here */

/* Reset and statistics-dump completion timeouts, microseconds */
#define OFNIC_RESET_TIMEOUT_US		(500 * USEC_PER_MSEC)
#define OFNIC_STATS_TIMEOUT_US		(500 * USEC_PER_MSEC)
/* The service task's period: how old the device counters in ndo_get_stats64 may be */
#define OFNIC_SERVICE_PERIOD		HZ
/* qstats read per queue: one dump serves a whole request */
#define OFNIC_QSTATS_MAX_AGE		(HZ / 10)

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
/* Longest packet the driver assembles: a coalesced IP packet of 64 KiB and two tags */
#define OFNIC_RX_MAX_LEN		(ETH_HLEN + 2 * VLAN_HLEN + IP_MAX_MTU)

/*
 * How long the device may hold the first segment of a flow it coalesces (LRO, HW-GRO).
 * PSH (the end of every TCP write) flushes at once, so this bounds only a burst's tail.
 * Under TCG a burst's segments come up to milliseconds apart when the host is busy: with
 * 300 us (virtio-net's RSC default) gro.sh's two-segment cases split on all three tries; the
 * stack's own GRO, with gro.sh's deferred interrupts, holds a segment up to a jiffy.
 */
#define OFNIC_RSC_TIMEOUT_US		2000

/*
 * Per-queue driver counters, in groups that each have exactly one writer context, as
 * u64_stats_sync requires: the NAPI poll for TX completions and RX, the ndo_start_xmit path
 * (serialized by the TX queue lock) for the transmit side. Each group is u64 fields only:
 * ofnic_ethtool.c names every field (checked there against the size).
 */
struct ofnic_tx_cmpl_stats {
	u64 packets;
	u64 bytes;
	u64 wakes;
};

struct ofnic_tx_xmit_stats {
	u64 stops;
	u64 busy;
	u64 linearized;
	u64 drops;
	u64 dma_errors;
	u64 gso_pkts;			/* TSO/USO/UFO packets handed to the device */
	u64 gso_bytes;			/* their length as handed over */
	u64 gso_wire_pkts;		/* the segments (fragments) they become */
	u64 gso_wire_bytes;		/* and their length on the wire */
	u64 needs_csum;			/* wire packets whose L4 checksum the device fills */
	u64 vlan;			/* packets the device tags */
};

struct ofnic_rx_stats {
	u64 packets;			/* wire packets: a coalesced one counts its segments */
	u64 bytes;			/* wire bytes, headers of every segment included */
	u64 multi_buf;
	u64 alloc_fail;
	u64 drops;
	u64 bad_cmpl;
	u64 csum_ok;			/* handed up CHECKSUM_UNNECESSARY */
	u64 csum_none;			/* handed up unchecked */
	u64 csum_bad;			/* the device found a wrong checksum */
	u64 gro_pkts;			/* HW-GRO packets (re-segmentable) */
	u64 gro_bytes;
	u64 gro_wire_pkts;		/* the segments they were made of */
	u64 gro_wire_bytes;
	u64 lro_pkts;			/* LRO packets */
	u64 lro_segs;			/* the segments they were made of */
};

/* Driver counters of one queue pair; they persist across ring reconfiguration */
struct ofnic_qstats {
	struct u64_stats_sync tx_cmpl_sync;
	struct ofnic_tx_cmpl_stats tx_cmpl;
	struct u64_stats_sync tx_xmit_sync;
	struct ofnic_tx_xmit_stats tx_xmit;
	struct u64_stats_sync rx_sync;
	struct ofnic_rx_stats rx;
};

/* A consistent copy of one counter group */
static inline void ofnic_stats_fetch(const struct u64_stats_sync *sync, void *dst,
				     const void *src, size_t len)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(sync);
		memcpy(dst, src, len);
	} while (u64_stats_fetch_retry(sync, start));
}

static inline void ofnic_tx_cmpl_stats_get(const struct ofnic_qstats *qs,
					   struct ofnic_tx_cmpl_stats *v)
{
	ofnic_stats_fetch(&qs->tx_cmpl_sync, v, &qs->tx_cmpl, sizeof(*v));
}

static inline void ofnic_tx_xmit_stats_get(const struct ofnic_qstats *qs,
					   struct ofnic_tx_xmit_stats *v)
{
	ofnic_stats_fetch(&qs->tx_xmit_sync, v, &qs->tx_xmit, sizeof(*v));
}

static inline void ofnic_rx_stats_get(const struct ofnic_qstats *qs, struct ofnic_rx_stats *v)
{
	ofnic_stats_fetch(&qs->rx_sync, v, &qs->rx, sizeof(*v));
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
	struct sk_buff *frag_skb;	/* the skb of skb's frag_list taking frags */
	struct ofnic_rx_cmpl first;	/* completion of the packet's first buffer */
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
	struct dim tx_dim;		/* adaptive moderation, when on */
	struct dim rx_dim;
	struct delayed_work refill;	/* RX buffers when NAPI could not allocate any */
	u16 events;			/* interrupts, for DIM */
	u16 idx;			/* queue pair */
	u16 vec;			/* MSI-X vector, idx + 1 */
	int irq;
	bool irq_requested;
	bool napi_added;
	char name[IFNAMSIZ + 8];
} ____cacheline_aligned_in_smp;

/* OFNIC_REG_OFFLOAD_CTRL bits that follow netdev features (ofnic_offload_bits()) */
#define OFNIC_OFFLOAD_FEATURE_BITS	(OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_LRO |		\
					 OFNIC_OFFLOAD_HW_GRO | OFNIC_OFFLOAD_VLAN_STRIP |	\
					 OFNIC_OFFLOAD_VLAN_FILTER | OFNIC_OFFLOAD_NTUPLE |	\
					 OFNIC_OFFLOAD_LOOPBACK | OFNIC_OFFLOAD_TUNNEL_RX |	\
					 OFNIC_OFFLOAD_RSC_FIXEDID_NO_DF)

/* Interrupt moderation of one queue (OFNIC_Q_ITR), as ethtool -C sets it */
struct ofnic_coal {
	u16 usecs;
	u16 frames;
	bool adaptive;			/* net_dim picks usecs and frames */
};

/* An RSS context: context 0 is the default one, the others exist when active */
struct ofnic_rss_ctx {
	u8 key[OFNIC_RSS_KEY_SIZE];
	u8 indir[OFNIC_RSS_INDIR_SIZE];
	u32 fields;			/* OFNIC_REG_RSS_FIELDS */
	u8 input_xfrm;			/* RXH_XFRM_SYM_XOR, RXH_XFRM_SYM_OR_XOR or 0 */
	bool active;
};

/* Word index of rule register reg, e.g. OFNIC_NTW(OFNIC_REG_NTUPLE_PORTS(0)) */
#define OFNIC_NTW(reg)			(((reg) - OFNIC_REG_NTUPLE_BASE(0)) / 4)
/* Words of a rule, CTRL first, as ofnic_hw_ntuple_write() takes them */
#define OFNIC_NTUPLE_WORDS		(OFNIC_NTW(OFNIC_REG_NTUPLE_DST_MASK(0, 3)) + 1)

/* An ntuple rule as ethtool gave it; its slot is its location and priority */
struct ofnic_ntuple {
	struct ethtool_rx_flow_spec fs;
	u32 rss_context;		/* with FLOW_RSS */
	bool valid;
};

/* ethtool private flags (ofnic_pflag_names[] in ofnic_ethtool.c) */
#define OFNIC_PFLAG_UFO			BIT(0)	/* NETIF_F_GSO_UDP: see ofnic_offload.c */
#define OFNIC_PFLAG_NUM			1

struct ofnic_priv {
	struct net_device *netdev;
	struct pci_dev *pdev;
	u8 __iomem *regs;

	u64 caps;
	u32 pflags;			/* OFNIC_PFLAG_* */
	u32 version;
	bool rxc_lro;			/* completions mark LRO merges (datasheet 2.2) */
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
	u32 fc_ctrl;			/* OFNIC_REG_FC_CTRL: ethtool -A */
	u32 fec_mode;			/* OFNIC_FEC_*: ethtool --set-fec */

	/* RX offloads, kept here to be programmed again at every ofnic_up() */
	struct ofnic_rss_ctx rss[OFNIC_RSS_MAX_CONTEXTS];
	struct ofnic_ntuple ntuple[OFNIC_NTUPLE_MAX_RULES];
	unsigned int ntuple_count;
	unsigned long active_vlans[BITS_TO_LONGS(VLAN_N_VID)];

	/* Interrupt moderation per queue, for all hw_queues */
	struct ofnic_coal rx_coal[OFNIC_MAX_QUEUES];
	struct ofnic_coal tx_coal[OFNIC_MAX_QUEUES];

	/*
	 * Device counters: the service task (and requests that may sleep) dump them into
	 * hw_stats under stats_lock and copy them to hw_cache, which readers in any context
	 * read under hw_cache_sync. OFNIC_GSTAT_NUM + hw_queues * OFNIC_QSTAT_NUM entries each.
	 * A device reset (PCIe error recovery) zeroes the device's counters: hw_base holds what
	 * they had counted before, and hw_cache is hw_base plus the last dump.
	 */
	struct mutex stats_lock;
	__le64 *hw_stats;
	dma_addr_t hw_stats_dma;
	u64 *hw_base;
	u64 *hw_cache;
	struct u64_stats_sync hw_cache_sync;
	unsigned long hw_cache_time;	/* jiffies of the last refresh */
	struct delayed_work service_task;

	struct ofnic_qstats *qstats;	/* hw_queues entries */

	struct delayed_work reset_task;
	unsigned long reset_last;	/* jiffies of the last restart */
	unsigned int tx_timeout_queue;	/* the watchdog's last report, for reset_task */
	/* RX refill after an allocation failure (qv->refill), while the data path is up */
	spinlock_t refill_lock;
	bool refill_enabled;

	/* fault injection (ofnic_debugfs.c): how many of the next ones fail */
	atomic_t fail_rx_alloc;
	atomic_t fail_up;
#ifdef CONFIG_DEBUG_FS
	struct dentry *dbg;
#endif
};

static inline u32 ofnic_rd32(struct ofnic_priv *priv, u32 reg)
{
	return readl(priv->regs + reg);
}

static inline void ofnic_wr32(struct ofnic_priv *priv, u32 reg, u32 val)
{
	writel(val, priv->regs + reg);
}

/* Index in hw_cache of a per-queue device counter */
static inline unsigned int ofnic_hw_qstat_idx(u16 q, enum ofnic_qstat stat)
{
	return OFNIC_GSTAT_NUM + q * OFNIC_QSTAT_NUM + stat;
}

/* ofnic_main.c */
int ofnic_up(struct ofnic_priv *priv);
void ofnic_down(struct ofnic_priv *priv);
int ofnic_reconfigure(struct ofnic_priv *priv, u16 num_queues, u32 tx_ring_size,
		      u32 rx_ring_size);
void ofnic_update_link(struct ofnic_priv *priv);
void ofnic_schedule_reset(struct ofnic_priv *priv);

/* ofnic_debugfs.c */
#ifdef CONFIG_DEBUG_FS
void ofnic_debugfs_init(void);
void ofnic_debugfs_exit(void);
void ofnic_debugfs_add(struct ofnic_priv *priv);
void ofnic_debugfs_remove(struct ofnic_priv *priv);
#else
static inline void ofnic_debugfs_init(void) {}
static inline void ofnic_debugfs_exit(void) {}
static inline void ofnic_debugfs_add(struct ofnic_priv *priv) {}
static inline void ofnic_debugfs_remove(struct ofnic_priv *priv) {}
#endif

/* An injected fault: consumes one of the count set through debugfs (none without it) */
static inline bool ofnic_fault(atomic_t *count)
{
	return IS_ENABLED(CONFIG_DEBUG_FS) && unlikely(atomic_read(count)) &&
	       atomic_add_unless(count, -1, 0);
}

/* ofnic_hw.c */
int ofnic_hw_reset(struct ofnic_priv *priv);
void ofnic_hw_set_mac(struct ofnic_priv *priv, const u8 *addr);
void ofnic_hw_set_max_frame(struct ofnic_priv *priv, unsigned int mtu);
#define OFNIC_RSS_W_KEY			BIT(0)
#define OFNIC_RSS_W_INDIR		BIT(1)
#define OFNIC_RSS_W_FIELDS		BIT(2)
#define OFNIC_RSS_W_ALL			(OFNIC_RSS_W_KEY | OFNIC_RSS_W_INDIR | OFNIC_RSS_W_FIELDS)
void ofnic_hw_rss_write(struct ofnic_priv *priv, unsigned int c, unsigned int what);
void ofnic_hw_rss_disable(struct ofnic_priv *priv, unsigned int c);
void ofnic_hw_ntuple_write(struct ofnic_priv *priv, unsigned int r, const u32 *words);
void ofnic_hw_vlan_write(struct ofnic_priv *priv, u16 vid);
void ofnic_hw_vlan_write_all(struct ofnic_priv *priv);
void ofnic_hw_set_rsc(struct ofnic_priv *priv);
void ofnic_hw_set_itr(struct ofnic_priv *priv, u32 qreg, u16 usecs, u16 frames);
void ofnic_hw_update_offload(struct ofnic_priv *priv, u32 clear, u32 set);
void ofnic_hw_set_rx_mode(struct ofnic_priv *priv);
void ofnic_hw_txq_enable(struct ofnic_priv *priv, struct ofnic_ring *ring, u16 vec);
void ofnic_hw_rxq_enable(struct ofnic_priv *priv, struct ofnic_ring *ring, u16 vec);
void ofnic_hw_queues_disable(struct ofnic_priv *priv, u16 num_queues);
void ofnic_hw_stats_refresh(struct ofnic_priv *priv, unsigned long max_age);
void ofnic_hw_stats_rebase(struct ofnic_priv *priv);
void ofnic_hw_stats_read(struct ofnic_priv *priv, u64 *dst, unsigned int first,
			 unsigned int n);
void ofnic_service_task(struct work_struct *work);

/* ofnic_irq.c */
int ofnic_irq_init(struct ofnic_priv *priv);
void ofnic_irq_fini(struct ofnic_priv *priv);
int ofnic_misc_irq_request(struct ofnic_priv *priv);
void ofnic_misc_irq_free(struct ofnic_priv *priv);
void ofnic_misc_irq_enable(struct ofnic_priv *priv);
int ofnic_queue_irqs_request(struct ofnic_priv *priv);
void ofnic_queue_irqs_free(struct ofnic_priv *priv);
void ofnic_vec_arm(struct ofnic_priv *priv, u16 vec);

/* ofnic_txrx.c */
int ofnic_alloc_queues(struct ofnic_priv *priv);
void ofnic_free_queues(struct ofnic_priv *priv);
int ofnic_rx_fill(struct ofnic_ring *ring, gfp_t gfp);
netdev_tx_t ofnic_start_xmit(struct sk_buff *skb, struct net_device *netdev);
int ofnic_poll(struct napi_struct *napi, int budget);
void ofnic_refill_enable(struct ofnic_priv *priv, bool on);
void ofnic_dim_init(struct ofnic_q_vector *qv);
void ofnic_coal_apply(struct ofnic_priv *priv, u16 q);

/* ofnic_offload.c */
void ofnic_set_features(struct ofnic_priv *priv);
int ofnic_set_features_hw(struct net_device *netdev, netdev_features_t features);
void ofnic_features_registered(struct ofnic_priv *priv);
netdev_features_t ofnic_fix_features(struct net_device *netdev, netdev_features_t features);
netdev_features_t ofnic_features_check(struct sk_buff *skb, struct net_device *netdev,
				       netdev_features_t features);
int ofnic_tx_offload(struct ofnic_priv *priv, struct sk_buff *skb, struct ofnic_tx_offload *off);
u32 ofnic_offload_bits(netdev_features_t features);
int ofnic_vlan_rx_add_vid(struct net_device *netdev, __be16 proto, u16 vid);
int ofnic_vlan_rx_kill_vid(struct net_device *netdev, __be16 proto, u16 vid);

/* ofnic_tunnel.c */
void ofnic_tunnel_init(struct ofnic_priv *priv);

/* ofnic_flow.c */
void ofnic_rss_init(struct ofnic_priv *priv);
void ofnic_rss_respread(struct ofnic_priv *priv);
void ofnic_flow_program(struct ofnic_priv *priv);
void ofnic_ntuple_clear(struct ofnic_priv *priv);
bool ofnic_ntuple_fits(struct ofnic_priv *priv, unsigned int num_queues);
u32 ofnic_get_rx_ring_count(struct net_device *netdev);
int ofnic_get_rxnfc(struct net_device *netdev, struct ethtool_rxnfc *cmd, u32 *rule_locs);
int ofnic_set_rxnfc(struct net_device *netdev, struct ethtool_rxnfc *cmd);
u32 ofnic_get_rxfh_key_size(struct net_device *netdev);
u32 ofnic_get_rxfh_indir_size(struct net_device *netdev);
u32 ofnic_rss_indir_size(unsigned int num_queues);
int ofnic_rss_can_resize(struct ofnic_priv *priv, unsigned int num_queues);
void ofnic_rss_resize(struct ofnic_priv *priv, unsigned int old_queues);
int ofnic_get_rxfh(struct net_device *netdev, struct ethtool_rxfh_param *rxfh);
int ofnic_set_rxfh(struct net_device *netdev, struct ethtool_rxfh_param *rxfh,
		   struct netlink_ext_ack *extack);
int ofnic_get_rxfh_fields(struct net_device *netdev, struct ethtool_rxfh_fields *fields);
int ofnic_set_rxfh_fields(struct net_device *netdev, const struct ethtool_rxfh_fields *fields,
			  struct netlink_ext_ack *extack);
int ofnic_create_rxfh_context(struct net_device *netdev, struct ethtool_rxfh_context *ctx,
			      const struct ethtool_rxfh_param *rxfh,
			      struct netlink_ext_ack *extack);
int ofnic_modify_rxfh_context(struct net_device *netdev, struct ethtool_rxfh_context *ctx,
			      const struct ethtool_rxfh_param *rxfh,
			      struct netlink_ext_ack *extack);
int ofnic_remove_rxfh_context(struct net_device *netdev, struct ethtool_rxfh_context *ctx,
			      u32 rss_context, struct netlink_ext_ack *extack);

/* ofnic_ethtool.c */
void ofnic_set_ethtool_ops(struct net_device *netdev);

/* ofnic_diag.c */
int ofnic_get_regs_len(struct net_device *netdev);
void ofnic_get_regs(struct net_device *netdev, struct ethtool_regs *regs, void *buf);
int ofnic_test_count(struct ofnic_priv *priv);
void ofnic_test_strings(struct ofnic_priv *priv, u8 *data);
void ofnic_self_test(struct net_device *netdev, struct ethtool_test *test, u64 *data);

#endif /* _OFNIC_H_ */

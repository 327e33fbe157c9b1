/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ofnic: the one place where the driver meets older kernels. The .c files use the newest
 * kernel API (Linux 7.3); this header maps it onto 6.12 LTS where the two differ.
 */
#ifndef _OFNIC_COMPAT_H_
#define _OFNIC_COMPAT_H_

#include <linux/version.h>

#include <linux/netdevice.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
/* net_dim() took its sample by value before 6.13 */
#define net_dim(dim, sample)	net_dim(dim, *(sample))
/* no persistent per-NAPI configuration before 6.13 */
static inline void netif_napi_add_config(struct net_device *dev, struct napi_struct *napi,
					 int (*poll)(struct napi_struct *, int), int index)
{
	netif_napi_add(dev, napi, poll);
}
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 16, 0)
/* the IPv6 flow label as an RSS hash field (rx-flow-hash ... l) came in 6.16 */
#define RXH_IP6_FL	BIT(9)
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 15, 0)
/* Before 6.15 the core did not manage queue IRQ affinity: it stays the IRQ core's default */
static inline void netif_set_affinity_auto(struct net_device *dev)
{
}
#endif

/* The RX ring count has an ethtool op of its own since 6.19; before, get_rxnfc() answered
 * ETHTOOL_GRXRINGS.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
#define OFNIC_HAVE_RX_RING_COUNT_OP	1
#else
#define OFNIC_HAVE_RX_RING_COUNT_OP	0
#endif

/*
 * Since 6.18 GRO keeps a fixed IPv4 ID without DF too, SKB_GSO_TCP_FIXEDID marks the outer
 * IPv4 header of a GSO packet and SKB_GSO_TCP_FIXEDID_INNER the inner one. Before, a fixed
 * ID needed DF, and FIXEDID marked the inner-most header: GSO renumbered outer IDs.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0)
#define OFNIC_GRO_FIXEDID_NO_DF		1
#define OFNIC_GSO_FIXEDID_OUTER		SKB_GSO_TCP_FIXEDID
#define OFNIC_GSO_FIXEDID_INNER		SKB_GSO_TCP_FIXEDID_INNER
#else
#define OFNIC_GRO_FIXEDID_NO_DF		0
#define OFNIC_GSO_FIXEDID_OUTER		0
#define OFNIC_GSO_FIXEDID_INNER		SKB_GSO_TCP_FIXEDID
#endif

/* get_fec_stats also fills a histogram of FEC bins since 6.18 (struct ethtool_fec_hist) */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0)
#define OFNIC_HAVE_FEC_HIST		1
#else
#define OFNIC_HAVE_FEC_HIST		0
#endif

/*
 * An indirection table whose size follows the queue count, folded and unfolded by the core
 * (ethtool_rxfh_indir_can_resize() and friends, which remember how much of it the user set):
 * in 7.3, not in 6.12, where the table keeps one size.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
#define OFNIC_HAVE_RXFH_RESIZE		1
#else
#define OFNIC_HAVE_RXFH_RESIZE		0
static inline bool ethtool_rxfh_indir_can_resize(struct net_device *dev, const u32 *tbl,
						 u32 old_size, u32 new_size)
{
	return true;
}

static inline int ethtool_rxfh_ctxs_can_resize(struct net_device *dev, u32 new_indir_size)
{
	return 0;
}

static inline void ethtool_rxfh_ctxs_resize(struct net_device *dev, u32 new_indir_size)
{
}
#endif

#endif /* _OFNIC_COMPAT_H_ */

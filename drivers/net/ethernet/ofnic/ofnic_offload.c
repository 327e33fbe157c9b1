// SPDX-License-Identifier: GPL-2.0
/*
 * ofnic: offload features. The netdev features the capability register allows, the
 * device-wide RX offload modes behind them, the VLAN filter, and for TX the per-packet check
 * that returns what a context descriptor cannot describe to the software fallbacks, and the
 * context descriptor itself.
 */

#include <linux/bitfield.h>
#include <linux/if_vlan.h>
#include <linux/rtnetlink.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ipv6.h>
#include <net/vxlan.h>

#include "ofnic.h"

/*
 * UFO. Since 4.14 the stack builds no UFO packets itself and NETIF_F_UFO is gone; no socket
 * asks for UFO any more. What is left is SKB_GSO_UDP for packets that come with a struct
 * virtio_net_hdr of type VIRTIO_NET_HDR_GSO_UDP (packet sockets with PACKET_VNET_HDR, writes
 * to tun/tap, virtio guests behind a bridge), and the feature bit it maps to,
 * NETIF_F_GSO_UDP ("UFO, deprecated except tuntap"). With the bit, net_gso_ok() lets such a
 * packet through whole; without it validate_xmit_skb() fragments it in software
 * (udp4_ufo_fragment(), udp6_ufo_fragment(), which also fill in the UDP checksum).
 *
 * The bit has no name in netdev_features_strings[] (6.12 and 7.3): in hw_features or
 * features it is a nameless entry in what ethtool and the selftests read as the hw, wanted
 * and active feature sets (and "ethtool -K dev '' on" is what they write back). So it is in
 * none of them by default: the private flag "tx-udp-fragmentation" (ethtool
 * --set-priv-flags) asks for it, and ofnic_fix_features() then adds it to the active
 * features, where it stays nameless while the user wants device UFO.
 *
 * Two more conditions decide whether the device gets a UFO packet:
 *  - virtio_net_hdr_to_skb() marks every GSO packet it builds SKB_GSO_DODGY, which
 *    net_gso_ok() matches against NETIF_F_GSO_ROBUST. The device checks every header it
 *    segments against the context descriptor and drops what disagrees (datasheet), so it can
 *    take untrusted GSO packets: ofnic sets NETIF_F_GSO_ROBUST with any segmentation
 *    capability, and "ethtool -K <dev> tx-gso-robust off" is the switch that returns UFO
 *    to software. (Untrusted TSO/USO packets then only have their headers checked by
 *    tcp_gso_segment()/__udp_gso_segment() and still reach the device whole.)
 *  - netif_needs_gso() segments in software a GSO packet that is neither CHECKSUM_PARTIAL
 *    nor CHECKSUM_UNNECESSARY, i.e. one sent without VIRTIO_NET_HDR_F_NEEDS_CSUM, and
 *    harmonize_features() needs NETIF_F_HW_CSUM for the partial checksum.
 */

/* GSO types the context descriptor can describe */
#define OFNIC_GSO_UDP_TUNNEL	(SKB_GSO_UDP_TUNNEL | SKB_GSO_UDP_TUNNEL_CSUM)
#define OFNIC_GSO_IP_TUNNEL	(SKB_GSO_GRE | SKB_GSO_IPXIP4 | SKB_GSO_IPXIP6)
#define OFNIC_GSO_TYPES		(SKB_GSO_TCPV4 | SKB_GSO_TCPV6 | SKB_GSO_TCP_ECN |	\
				 SKB_GSO_TCP_FIXEDID | OFNIC_GSO_FIXEDID_INNER |	\
				 SKB_GSO_UDP_L4 | SKB_GSO_UDP | SKB_GSO_DODGY |		\
				 OFNIC_GSO_UDP_TUNNEL | OFNIC_GSO_IP_TUNNEL)

#define OFNIC_CAP_SEG		(OFNIC_CAP_TSO4 | OFNIC_CAP_TSO6 | OFNIC_CAP_USO | OFNIC_CAP_UFO)

/* ------------------------------------------------------------------------------------------
 * Features
 */

/* Segmentation limits; a register that reads 0 or beyond the datasheet gets the datasheet's */
static void ofnic_read_tso_limits(struct ofnic_priv *priv)
{
	u32 limits, min_mss, max_hdr, payload;

	limits = ofnic_rd32(priv, OFNIC_REG_TSO_LIMITS);
	min_mss = FIELD_GET(OFNIC_TSO_LIMITS_MIN_MSS_MASK, limits);
	max_hdr = FIELD_GET(OFNIC_TSO_LIMITS_MAX_HDR_MASK, limits);
	payload = ofnic_rd32(priv, OFNIC_REG_TSO_MAX_PAYLOAD);

	priv->tso_min_mss = clamp_t(u32, min_mss, OFNIC_TSO_MIN_MSS, OFNIC_MAX_MTU);
	priv->tx_max_hdr = max_hdr && max_hdr < OFNIC_TX_MAX_HDR_LEN ? max_hdr :
			   OFNIC_TX_MAX_HDR_LEN;
	priv->tso_max_payload = payload && payload < OFNIC_TSO_MAX_PAYLOAD ? payload :
				OFNIC_TSO_MAX_PAYLOAD;
}

/*
 * RX offloads. Each one the device has can be switched; all are on by default except LRO,
 * which merges more loosely than the stack would (it is turned off for forwarding anyway)
 * and gives way to HW-GRO. ntuple steering is on: rules do nothing until one is added.
 */
static void ofnic_set_rx_features(struct ofnic_priv *priv)
{
	struct net_device *netdev = priv->netdev;
	netdev_features_t rx = 0;
	u64 caps = priv->caps;

	if (caps & OFNIC_CAP_RX_CSUM)
		rx |= NETIF_F_RXCSUM;
	if (caps & OFNIC_CAP_HW_GRO)
		rx |= NETIF_F_GRO_HW;
	if (caps & OFNIC_CAP_RX_VLAN_STRIP)
		rx |= NETIF_F_HW_VLAN_CTAG_RX;
	if (caps & OFNIC_CAP_RX_VLAN_FILTER)
		rx |= NETIF_F_HW_VLAN_CTAG_FILTER;
	if (caps & OFNIC_CAP_NTUPLE)
		rx |= NETIF_F_NTUPLE;
	if (caps & OFNIC_CAP_RSS)
		rx |= NETIF_F_RXHASH;

	netdev->hw_features |= rx;
	netdev->features |= rx;
	if (caps & OFNIC_CAP_LRO)
		netdev->hw_features |= NETIF_F_LRO;
}

/*
 * UDP tunnels (VXLAN, GENEVE without options: what vxlan_features_check() lets through).
 * hw_enc_features is what the device does for the inner packet of an encapsulated skb: the
 * generic checksum anywhere (OFNIC_CAP_TUNNEL_CSUM; csum_start points at the inner L4
 * header), and TSO/USO inside a UDP tunnel (OFNIC_CAP_TUNNEL_TSO), with the outer UDP
 * checksum of every segment filled in (OFNIC_CAP_TUNNEL_OUTER_CSUM) or left 0. Because the
 * device can fill it, tx-udp_tnl-csum-segmentation is a full feature and not GSO_PARTIAL;
 * without that capability such packets are segmented in software. UFO is never tunnelled,
 * and untrusted (SKB_GSO_DODGY) tunnel packets are segmented in software.
 * IP tunnels (OFNIC_CAP_IP_TUNNEL_TSO): TSO/USO inside GRE (tx-gre-segmentation; GRE with
 * a checksum is SKB_GSO_GRE_CSUM, left to software, and GRE with sequence numbers gets no
 * GSO from the stack) and IP in IPv4/IPv6 (tx-ipxip4/6-segmentation: ipip, sit, ip6tnl).
 */
static void ofnic_set_tunnel_features(struct ofnic_priv *priv, netdev_features_t csum,
				      netdev_features_t gso)
{
	netdev_features_t enc = NETIF_F_SG | NETIF_F_HIGHDMA, tun = 0;
	struct net_device *netdev = priv->netdev;
	u64 caps = priv->caps;

	if (!(caps & OFNIC_CAP_TUNNEL_CSUM) || !(csum & NETIF_F_HW_CSUM)) {
		netdev->hw_enc_features |= enc;
		return;
	}
	enc |= csum;

	if (caps & OFNIC_CAP_TUNNEL_TSO) {
		enc |= gso & (NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_TSO_ECN |
			      NETIF_F_TSO_MANGLEID | NETIF_F_GSO_UDP_L4);
		if (enc & NETIF_F_GSO_MASK) {
			tun = NETIF_F_GSO_UDP_TUNNEL;
			if (caps & OFNIC_CAP_TUNNEL_OUTER_CSUM)
				tun |= NETIF_F_GSO_UDP_TUNNEL_CSUM;
		}
	}
	/* GRE without checksum or sequence number, IP in IPv4/IPv6 */
	if ((caps & OFNIC_CAP_IP_TUNNEL_TSO) &&
	    (gso & (NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_GSO_UDP_L4))) {
		enc |= gso & (NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_TSO_ECN |
			      NETIF_F_TSO_MANGLEID | NETIF_F_GSO_UDP_L4);
		tun |= NETIF_F_GSO_GRE | NETIF_F_GSO_IPXIP4 | NETIF_F_GSO_IPXIP6;
	}

	netdev->hw_enc_features |= enc | tun;
	netdev->hw_features |= tun;
	netdev->features |= tun;
}

/* Before register_netdev(): TX offloads from the capabilities, fixed off where absent */
void ofnic_set_features(struct ofnic_priv *priv)
{
	netdev_features_t csum = 0, gso = 0, vlan = 0;
	struct net_device *netdev = priv->netdev;
	u64 caps = priv->caps;

	ofnic_read_tso_limits(priv);

	if (caps & OFNIC_CAP_TX_CSUM)
		csum |= NETIF_F_HW_CSUM;
	if (caps & OFNIC_CAP_TX_SCTP_CRC)
		csum |= NETIF_F_SCTP_CRC;

	/* The stack segments nothing in hardware that it cannot have checksummed there */
	if (caps & OFNIC_CAP_TX_CSUM) {
		if (caps & OFNIC_CAP_TSO4)
			gso |= NETIF_F_TSO;
		if (caps & OFNIC_CAP_TSO6)
			gso |= NETIF_F_TSO6;
		if ((caps & OFNIC_CAP_TSO_ECN) && (gso & (NETIF_F_TSO | NETIF_F_TSO6)))
			gso |= NETIF_F_TSO_ECN;
		if ((caps & OFNIC_CAP_TSO_MANGLEID) && (gso & NETIF_F_TSO))
			gso |= NETIF_F_TSO_MANGLEID;
		if (caps & OFNIC_CAP_USO)
			gso |= NETIF_F_GSO_UDP_L4;
		if (gso || (caps & OFNIC_CAP_UFO))
			gso |= NETIF_F_GSO_ROBUST;
	} else if (caps & OFNIC_CAP_SEG) {
		dev_info(&priv->pdev->dev,
			 "segmentation without checksum offload is not usable, left off\n");
	}

	if (caps & OFNIC_CAP_TX_VLAN)
		vlan = NETIF_F_HW_VLAN_CTAG_TX;

	/* a mode the user switches on; off by default */
	if (caps & OFNIC_CAP_LOOPBACK)
		netdev->hw_features |= NETIF_F_LOOPBACK;

	ofnic_set_rx_features(priv);

	netdev->hw_features |= NETIF_F_SG | csum | gso | vlan;
	netdev->features |= NETIF_F_SG | NETIF_F_HIGHDMA | csum | gso | vlan;
	/* l2_len covers VLAN tags in the frame, and insertion comes after the offloads */
	netdev->vlan_features |= NETIF_F_SG | NETIF_F_HIGHDMA | csum | gso;
	/* MPLS: the generic checksum works, segmentation wants the IP header at l2_len */
	netdev->mpls_features |= NETIF_F_SG | NETIF_F_HIGHDMA | (csum & NETIF_F_HW_CSUM);

	ofnic_set_tunnel_features(priv, csum, gso);

	/*
	 * TSO_MAX_PAYLOAD bounds skb->len, which also holds the headers: on the safe side. The
	 * core segments skb->len >= gso_max_size in software, so a GSO skb linearized (sg off)
	 * is at most 65535 bytes: one data descriptor.
	 */
	netif_set_tso_max_size(netdev, priv->tso_max_payload);
}

/*
 * After register_netdev(): register_netdevice() makes NETIF_F_TSO_MANGLEID changeable on
 * every TSO device. Without OFNIC_CAP_TSO_MANGLEID it is fixed off like the other features
 * the device lacks (and ofnic_fix_features() keeps it off in the meantime).
 */
void ofnic_features_registered(struct ofnic_priv *priv)
{
	struct net_device *netdev = priv->netdev;

	if ((priv->caps & OFNIC_CAP_TSO_MANGLEID) ||
	    !(netdev->hw_features & NETIF_F_TSO_MANGLEID))
		return;

	rtnl_lock();
	netdev->hw_features &= ~NETIF_F_TSO_MANGLEID;
	netdev->vlan_features &= ~NETIF_F_TSO_MANGLEID;
	netdev->mpls_features &= ~NETIF_F_TSO_MANGLEID;
	netdev->hw_enc_features &= ~NETIF_F_TSO_MANGLEID;
	netdev_update_features(netdev);
	rtnl_unlock();
}

netdev_features_t ofnic_fix_features(struct net_device *netdev, netdev_features_t features)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if (!(priv->caps & OFNIC_CAP_TSO_MANGLEID))
		features &= ~NETIF_F_TSO_MANGLEID;

	/* UFO only while its private flag asks for it, and like USO with checksum offload */
	if ((priv->pflags & OFNIC_PFLAG_UFO) && (priv->caps & OFNIC_CAP_UFO) &&
	    (features & NETIF_F_HW_CSUM))
		features |= NETIF_F_GSO_UDP;
	else
		features &= ~NETIF_F_GSO_UDP;

	/*
	 * A merged frame is only as good as the checksums of its segments, which the device
	 * checks for coalescing: without RX checksum offload there is no coalescing either.
	 * (The core drops GRO_HW itself; LRO as ixgbe does.)
	 */
	if (!(features & NETIF_F_RXCSUM))
		features &= ~(NETIF_F_GRO_HW | NETIF_F_LRO);

	/*
	 * One coalescing mode at a time. The core would keep GRO_HW (on by default) and drop
	 * LRO, so that "ethtool -K lro on" could never succeed: LRO asked for wins, and GRO_HW,
	 * still requested, comes back when LRO goes off (by hand or for forwarding).
	 */
	if ((features & NETIF_F_LRO) && (features & NETIF_F_GRO_HW))
		features &= ~NETIF_F_GRO_HW;

	return features;
}

/* Feature bits that are device-wide modes, and their OFNIC_REG_OFFLOAD_CTRL bits */
static const struct {
	netdev_features_t feature;
	u32 offload;
} ofnic_rx_modes[] = {
	{ NETIF_F_RXCSUM,		OFNIC_OFFLOAD_RX_CSUM },
	{ NETIF_F_LRO,			OFNIC_OFFLOAD_LRO },
	{ NETIF_F_GRO_HW,		OFNIC_OFFLOAD_HW_GRO },
	{ NETIF_F_HW_VLAN_CTAG_RX,	OFNIC_OFFLOAD_VLAN_STRIP },
	{ NETIF_F_HW_VLAN_CTAG_FILTER,	OFNIC_OFFLOAD_VLAN_FILTER },
	{ NETIF_F_NTUPLE,		OFNIC_OFFLOAD_NTUPLE },
	{ NETIF_F_LOOPBACK,		OFNIC_OFFLOAD_LOOPBACK },
	{ NETIF_F_RX_UDP_TUNNEL_PORT,	OFNIC_OFFLOAD_TUNNEL_RX },
};

/* The OFNIC_REG_OFFLOAD_CTRL bits that follow netdev features, for these features */
u32 ofnic_offload_bits(netdev_features_t features)
{
	unsigned int i;
	u32 bits = 0;

	for (i = 0; i < ARRAY_SIZE(ofnic_rx_modes); i++)
		if (features & ofnic_rx_modes[i].feature)
			bits |= ofnic_rx_modes[i].offload;
	/* coalesce fixed IPv4 IDs as this kernel's GRO does */
	if ((bits & (OFNIC_OFFLOAD_LRO | OFNIC_OFFLOAD_HW_GRO)) && OFNIC_GRO_FIXEDID_NO_DF)
		bits |= OFNIC_OFFLOAD_RSC_FIXEDID_NO_DF;

	return bits;
}

/*
 * TX features need nothing from the device (each packet says what it wants); the RX
 * offloads and loopback are device-wide modes, bits of OFNIC_REG_OFFLOAD_CTRL. Loopback
 * turns this port's TX back into its own RX, nothing reaches the wire (the upstream gro.sh,
 * toeplitz.sh and loopback.sh use it). The registers behind the modes (VLAN table, ntuple
 * rules, RSS, coalescing) keep their contents while a mode is off, so switching is one
 * register write; ntuple rules are deleted when ntuple is turned off, as other drivers do.
 */
int ofnic_set_features_hw(struct net_device *netdev, netdev_features_t features)
{
	netdev_features_t changed = netdev->features ^ features;
	struct ofnic_priv *priv = netdev_priv(netdev);

	if ((changed & NETIF_F_NTUPLE) && !(features & NETIF_F_NTUPLE))
		ofnic_ntuple_clear(priv);

	ofnic_hw_update_offload(priv, OFNIC_OFFLOAD_FEATURE_BITS, ofnic_offload_bits(features));

	return 0;
}

/*
 * VLAN filter (NETIF_F_HW_VLAN_CTAG_FILTER): the 8021q module adds the VIDs of the VLAN
 * devices on top, and VID 0 when the interface comes up. The table is kept whether or not
 * filtering is on; VID 0 (priority-tagged frames) is always admitted, also without 8021q.
 */
int ofnic_vlan_rx_add_vid(struct net_device *netdev, __be16 proto, u16 vid)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if (proto != htons(ETH_P_8021Q) || vid >= VLAN_N_VID)
		return -EINVAL;

	set_bit(vid, priv->active_vlans);
	ofnic_hw_vlan_write(priv, vid);

	return 0;
}

int ofnic_vlan_rx_kill_vid(struct net_device *netdev, __be16 proto, u16 vid)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if (proto != htons(ETH_P_8021Q) || vid >= VLAN_N_VID)
		return -EINVAL;

	if (vid)
		clear_bit(vid, priv->active_vlans);
	ofnic_hw_vlan_write(priv, vid);

	return 0;
}

/* ------------------------------------------------------------------------------------------
 * What a context descriptor can describe
 */

struct ofnic_hdrs {
	unsigned int l2;		/* (outer) Ethernet header and VLAN tags in the frame */
	unsigned int l3;		/* (outer) IP header and IPv6 extension headers */
	unsigned int tun;		/* outer UDP + tunnel header + inner Ethernet, or 0 */
	unsigned int in_l3;		/* inner IP header, or 0 */
	unsigned int l4;		/* (inner) TCP or UDP header */
	u8 ipv;				/* 4 or 6, of the IP header segmented (inner) */
	u8 outer_ipv;			/* tunnels: of the outer IP header */
	bool tunnel;			/* a UDP tunnel, or an IP tunnel if ip_tunnel */
	bool ip_tunnel;			/* GRE or IP in IP: tun is GRE (+ Ethernet), or 0 */
};

static bool ofnic_ip_version(const struct sk_buff *skb, unsigned int off, u8 *ipv)
{
	const u8 *ver;
	u8 _ver;

	ver = skb_header_pointer(skb, off, sizeof(_ver), &_ver);
	if (!ver)
		return false;
	*ipv = *ver >> 4;

	return *ipv == 4 || *ipv == 6;
}

/*
 * The outer IP header of an IP tunnel, IPv6 extension headers included: up to the GRE
 * header or the inner IP header (the IPv6 tunnel's encapsulation limit option is one).
 */
static bool ofnic_ip_tunnel_l3(const struct sk_buff *skb, struct ofnic_hdrs *h)
{
	unsigned int inner = skb_inner_network_offset(skb);
	__be16 frag_off;
	int off;
	u8 nh;

	if (h->outer_ipv == 4) {
		const struct iphdr *iph;
		struct iphdr _iph;

		iph = skb_header_pointer(skb, h->l2, sizeof(_iph), &_iph);
		if (!iph)
			return false;
		off = h->l2 + iph->ihl * 4;
		nh = iph->protocol;
	} else {
		const struct ipv6hdr *ip6h;
		struct ipv6hdr _ip6h;

		ip6h = skb_header_pointer(skb, h->l2, sizeof(_ip6h), &_ip6h);
		if (!ip6h)
			return false;
		nh = ip6h->nexthdr;
		off = ipv6_skip_exthdr(skb, h->l2 + sizeof(*ip6h), &nh, &frag_off);
		if (off < 0 || frag_off)
			return false;
	}
	if (nh != IPPROTO_GRE && nh != IPPROTO_IPIP && nh != IPPROTO_IPV6)
		return false;
	h->l3 = off - h->l2;

	return off <= inner && h->l3 <= U8_MAX;
}

/*
 * Header lengths of a GSO packet, from the offsets the stack set (so IPv6 extension headers
 * are part of l3), checked against the descriptor's fields and the device's header limit.
 * A tunnel packet (skb->encapsulation) is a UDP or IP tunnel GSO type whose inner offsets the
 * tunnel driver set: its outer UDP header, tunnel header and inner Ethernet header (GRE:
 * its header and, gretap, the inner Ethernet header; IP in IP: nothing) are one block the
 * device copies (tun_len). Reads the headers through skb_header_pointer(): packets from
 * packet sockets and tun are not trusted to have them in the linear part.
 */
static bool ofnic_gso_hdrs(const struct sk_buff *skb, unsigned int max_hdr,
			   struct ofnic_hdrs *h)
{
	unsigned int gso_type = skb_shinfo(skb)->gso_type;
	unsigned int ip_off, l4_off;
	const struct tcphdr *th;
	struct tcphdr _th;

	if (!skb_transport_header_was_set(skb))
		return false;

	h->l2 = skb_network_offset(skb);
	h->tunnel = skb->encapsulation;
	h->ip_tunnel = h->tunnel && (gso_type & OFNIC_GSO_IP_TUNNEL);
	if (h->tunnel) {
		if (!(gso_type & OFNIC_GSO_UDP_TUNNEL) == !h->ip_tunnel ||
		    (gso_type & SKB_GSO_UDP) || !ofnic_ip_version(skb, h->l2, &h->outer_ipv))
			return false;
		if (h->ip_tunnel) {
			/* the transport header may be the inner one (ipip): find the tunnel */
			if (!ofnic_ip_tunnel_l3(skb, h))
				return false;
		} else {
			h->l3 = skb_transport_offset(skb) - h->l2;
		}
		h->tun = skb_inner_network_offset(skb) - h->l2 - h->l3;
		h->in_l3 = skb_inner_network_header_len(skb);
		ip_off = skb_inner_network_offset(skb);
		l4_off = skb_inner_transport_offset(skb);
		if (h->tun > U8_MAX || !h->in_l3 || h->in_l3 > U8_MAX ||
		    (!h->ip_tunnel && (h->tun < sizeof(struct udphdr) || h->tun & 1)))
			return false;
	} else {
		if (gso_type & (OFNIC_GSO_UDP_TUNNEL | OFNIC_GSO_IP_TUNNEL))
			return false;
		h->l3 = skb_network_header_len(skb);
		h->tun = 0;
		h->in_l3 = 0;
		ip_off = h->l2;
		l4_off = skb_transport_offset(skb);
	}
	if (h->l2 < ETH_HLEN || h->l2 > U8_MAX || !h->l3 || h->l3 > U8_MAX ||
	    !ofnic_ip_version(skb, ip_off, &h->ipv))
		return false;

	if (gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) {
		if (h->ipv != (gso_type & SKB_GSO_TCPV4 ? 4 : 6))
			return false;
		th = skb_header_pointer(skb, l4_off, sizeof(_th), &_th);
		if (!th || th->doff < sizeof(*th) / 4)
			return false;
		h->l4 = __tcp_hdrlen(th);
	} else if (gso_type & (SKB_GSO_UDP_L4 | SKB_GSO_UDP)) {
		h->l4 = sizeof(struct udphdr);
	} else {
		return false;
	}

	return l4_off + h->l4 <= max_hdr && skb->len > l4_off + h->l4;
}

static unsigned int ofnic_hdrs_len(const struct ofnic_hdrs *h)
{
	return h->l2 + h->l3 + h->tun + h->in_l3 + h->l4;
}

/* A partial checksum the descriptor can carry (u16 csum_start, u8 csum_offset) */
static bool ofnic_csum_fits(const struct sk_buff *skb)
{
	return skb_checksum_start_offset(skb) <= U16_MAX && skb->csum_offset <= U8_MAX;
}

/*
 * ndo_features_check: send back to the software fallbacks what the context descriptor
 * cannot describe. netif_skb_features() has already applied vlan_features to packets with
 * a VLAN tag to insert and hw_enc_features to tunnels; this adds the device's limits.
 */
netdev_features_t ofnic_features_check(struct sk_buff *skb, struct net_device *netdev,
				       netdev_features_t features)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	struct ofnic_hdrs h;

	/* More than one tag in the frame: checksum at most (as dflt_features_check()) */
	features = vlan_features_check(skb, features);
	/*
	 * A UDP tunnel other than VXLAN-like (UDP, tunnel header of 8 bytes, inner Ethernet):
	 * nothing (GENEVE with options, GUE, FOU carry other headers). Other encapsulations
	 * (GRE, IP in IP) keep the generic inner checksum; their GSO types are not offered.
	 */
	features = vxlan_features_check(skb, features);

	if (skb->ip_summed != CHECKSUM_PARTIAL && !skb_is_gso(skb))
		return features;

	if (skb->ip_summed == CHECKSUM_PARTIAL && !ofnic_csum_fits(skb))
		return features & ~(NETIF_F_CSUM_MASK | NETIF_F_GSO_MASK);

	if (!skb_is_gso(skb))
		return features;

	if (skb_shinfo(skb)->gso_size < priv->tso_min_mss ||
	    !ofnic_gso_hdrs(skb, priv->tx_max_hdr, &h) ||
	    skb->len - ofnic_hdrs_len(&h) > priv->tso_max_payload)
		return features & ~NETIF_F_GSO_MASK;

	return features;
}

/* ------------------------------------------------------------------------------------------
 * The context descriptor
 */

static int ofnic_tx_gso(struct ofnic_priv *priv, struct sk_buff *skb,
			struct ofnic_tx_offload *off, u16 *offload)
{
	unsigned int gso_type = skb_shinfo(skb)->gso_type;
	unsigned int mss = skb_shinfo(skb)->gso_size;
	struct ofnic_tx_ctx_desc *ctx = &off->ctx;
	unsigned int hdr, segs;
	struct ofnic_hdrs h;
	u16 bits;
	u64 cap;

	/* ndo_features_check() has let only these through: anything else is a stack bug */
	if (unlikely(gso_type & ~OFNIC_GSO_TYPES || mss < priv->tso_min_mss ||
		     !ofnic_gso_hdrs(skb, priv->tx_max_hdr, &h)))
		return -EINVAL;
	hdr = ofnic_hdrs_len(&h);
	if (unlikely(skb->len - hdr > priv->tso_max_payload))
		return -EINVAL;

	if (gso_type & SKB_GSO_UDP) {
		/* UFO: IP fragments of mss bytes; the UDP header travels in the first one */
		cap = OFNIC_CAP_UFO;
		bits = h.ipv == 4 ? OFNIC_TXC_SEG_UFO4 : OFNIC_TXC_SEG_UFO6;
		segs = DIV_ROUND_UP(skb->len - h.l2 - h.l3, mss);
		off->wire_bytes = skb->len + (segs - 1) * (h.l2 + h.l3);
		if (h.ipv == 6)
			off->wire_bytes += segs * sizeof(struct frag_hdr);
		ctx->csum_offset = offsetof(struct udphdr, check);
	} else if (gso_type & SKB_GSO_UDP_L4) {
		cap = OFNIC_CAP_USO;
		bits = h.ipv == 4 ? OFNIC_TXC_SEG_UDP4 : OFNIC_TXC_SEG_UDP6;
		segs = DIV_ROUND_UP(skb->len - hdr, mss);
		off->wire_bytes = skb->len + (segs - 1) * hdr;
		ctx->csum_offset = offsetof(struct udphdr, check);
	} else {
		cap = h.ipv == 4 ? OFNIC_CAP_TSO4 : OFNIC_CAP_TSO6;
		bits = h.ipv == 4 ? OFNIC_TXC_SEG_TCP4 : OFNIC_TXC_SEG_TCP6;
		/* the device keeps only the inner ID of a tunnel fixed; the outer one may be
		 * renumbered as NETIF_F_TSO_MANGLEID, which FIXEDID packets need, allows
		 */
		if (h.ipv == 4 &&
		    (gso_type & (h.tunnel ? OFNIC_GSO_FIXEDID_INNER : SKB_GSO_TCP_FIXEDID)))
			bits |= OFNIC_TXC_FIXEDID;
		segs = DIV_ROUND_UP(skb->len - hdr, mss);
		off->wire_bytes = skb->len + (segs - 1) * hdr;
		ctx->csum_offset = offsetof(struct tcphdr, check);
	}

	if (h.tunnel) {
		bits |= OFNIC_TXC_TUNNEL;
		if (h.outer_ipv == 6)
			bits |= OFNIC_TXC_OUTER_IPV6;
		if (h.ip_tunnel) {
			cap |= OFNIC_CAP_IP_TUNNEL_TSO;
			bits |= OFNIC_TXC_TUNNEL_IP;
		} else {
			cap |= OFNIC_CAP_TUNNEL_TSO;
		}
		if (gso_type & SKB_GSO_UDP_TUNNEL_CSUM) {
			cap |= OFNIC_CAP_TUNNEL_OUTER_CSUM;
			bits |= OFNIC_TXC_OUTER_UDP_CSUM;
		}
	}
	if (unlikely((priv->caps & cap) != cap))
		return -EOPNOTSUPP;

	/* The device fills every segment's checksums; it asks for the L4 one explicitly */
	bits |= OFNIC_TXC_L4_CSUM;
	if (h.ipv == 4 && (priv->caps & OFNIC_CAP_TX_IP4_CSUM))
		bits |= OFNIC_TXC_IP4_CSUM;

	ctx->mss = cpu_to_le16(mss);
	ctx->csum_start = cpu_to_le16(hdr - h.l4);
	ctx->l2_len = h.l2;
	ctx->l3_len = h.l3;
	ctx->tun_len = h.tun;
	ctx->in_l3_len = h.in_l3;
	ctx->l4_len = h.l4;
	off->wire_pkts = segs;
	*offload = bits;

	return 0;
}

static int ofnic_tx_csum(struct ofnic_priv *priv, struct sk_buff *skb,
			 struct ofnic_tx_offload *off, u16 *offload)
{
	struct ofnic_tx_ctx_desc *ctx = &off->ctx;
	bool sctp = skb_csum_is_sctp(skb);
	unsigned int l2, l3;
	__be16 proto;

	/*
	 * Only a sender that bypasses validate_xmit_skb() (pktgen) gets here with a checksum the
	 * device cannot do or the descriptor cannot describe: finish it in software.
	 */
	if (unlikely(!(priv->caps & (sctp ? OFNIC_CAP_TX_SCTP_CRC : OFNIC_CAP_TX_CSUM)) ||
		     !ofnic_csum_fits(skb)))
		return skb_csum_hwoffload_help(skb, 0);

	ctx->csum_start = cpu_to_le16(skb_checksum_start_offset(skb));
	ctx->csum_offset = skb->csum_offset;

	/* Not needed for a checksum, but describes the packet where the lengths are known */
	proto = vlan_get_protocol(skb);
	if ((proto == htons(ETH_P_IP) || proto == htons(ETH_P_IPV6)) &&
	    skb_transport_header_was_set(skb)) {
		l2 = skb_network_offset(skb);
		l3 = skb_network_header_len(skb);
		if (l2 <= U8_MAX && l3 <= U8_MAX) {
			ctx->l2_len = l2;
			ctx->l3_len = l3;
		}
	}

	*offload = sctp ? OFNIC_TXC_SCTP_CRC : OFNIC_TXC_L4_CSUM;

	return 0;
}

/*
 * Work out the offloads of one packet: the context descriptor, if it needs one (off->offload
 * not zero), and its wire packets and bytes. An error means the packet is to be dropped.
 */
int ofnic_tx_offload(struct ofnic_priv *priv, struct sk_buff *skb, struct ofnic_tx_offload *off)
{
	struct ofnic_tx_ctx_desc *ctx = &off->ctx;
	u16 offload = 0;
	int err;

	off->offload = 0;
	off->len = skb->len;
	off->wire_pkts = 1;
	off->wire_bytes = skb->len;

	if (!skb_is_gso(skb) && skb->ip_summed != CHECKSUM_PARTIAL && !skb_vlan_tag_present(skb))
		return 0;

	memset(ctx, 0, sizeof(*ctx));
	if (skb_is_gso(skb))
		err = ofnic_tx_gso(priv, skb, off, &offload);
	else if (skb->ip_summed == CHECKSUM_PARTIAL)
		err = ofnic_tx_csum(priv, skb, off, &offload);
	else
		err = 0;
	if (err)
		return err;

	/* The stack inserts other tags, and all of them without the capability, in software */
	if (skb_vlan_tag_present(skb)) {
		if (unlikely(!(priv->caps & OFNIC_CAP_TX_VLAN) ||
			     skb->vlan_proto != htons(ETH_P_8021Q)))
			return -EOPNOTSUPP;
		offload |= OFNIC_TXC_VLAN;
		ctx->vlan_tci = cpu_to_le16(skb_vlan_tag_get(skb));
	}

	if (!offload)
		return 0;

	off->offload = offload;
	ctx->offload = cpu_to_le16(offload);
	ctx->cmd = cpu_to_le16(FIELD_PREP(OFNIC_TXD_TYPE_MASK, OFNIC_TXD_TYPE_CTX));

	return 0;
}

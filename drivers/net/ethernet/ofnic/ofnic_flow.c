// SPDX-License-Identifier: GPL-2.0
/*
 * ofnic: receive flow steering. Toeplitz RSS with its key, indirection table and hash fields
 * per context (ethtool -x/-X, rx-flow-hash, RSS contexts), and ntuple rules (ethtool -n/-N).
 * The configuration lives in priv and is written to the device when it changes and again at
 * every ofnic_up(). Everything here runs under RTNL.
 */

#include <linux/bitfield.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/unaligned.h>

#include "ofnic.h"

/* ------------------------------------------------------------------------------------------
 * RSS
 */

/*
 * The table users see has 4 entries per queue, rounded up to a power of two (8 to the
 * device's OFNIC_RSS_INDIR_SIZE, which repeats it): it grows and folds with the queue count.
 */
u32 ofnic_rss_indir_size(unsigned int num_queues)
{
	if (!OFNIC_HAVE_RXFH_RESIZE)
		return OFNIC_RSS_INDIR_SIZE;

	return clamp_t(u32, roundup_pow_of_two(4 * num_queues), 8, OFNIC_RSS_INDIR_SIZE);
}

static void ofnic_rss_indir_default(struct ofnic_rss_ctx *ctx, unsigned int num_queues)
{
	u32 i, size = ofnic_rss_indir_size(num_queues);

	for (i = 0; i < OFNIC_RSS_INDIR_SIZE; i++)
		ctx->indir[i] = ethtool_rxfh_indir_default(i % size, num_queues);
}

/* The device's copy of a table folded to size entries: its first size entries, repeated */
static void ofnic_rss_indir_fold(struct ofnic_rss_ctx *ctx, u32 size)
{
	u32 i;

	for (i = size; i < OFNIC_RSS_INDIR_SIZE; i++)
		ctx->indir[i] = ctx->indir[i % size];
}

/* Highest queue an indirection table names */
static unsigned int ofnic_rss_max_queue(const struct ofnic_rss_ctx *ctx)
{
	unsigned int i, max = 0;

	for (i = 0; i < OFNIC_RSS_INDIR_SIZE; i++)
		max = max_t(unsigned int, max, ctx->indir[i]);

	return max;
}

/* At probe: context 0 with the system's key (as toeplitz.sh expects), spread over the queues */
void ofnic_rss_init(struct ofnic_priv *priv)
{
	struct ofnic_rss_ctx *ctx = &priv->rss[0];

	netdev_rss_key_fill(ctx->key, sizeof(ctx->key));
	ctx->fields = OFNIC_RSS_FIELDS_DEFAULT;
	ofnic_rss_indir_default(ctx, priv->num_queues);
	ctx->active = true;
}

/*
 * After a queue count change (ethtool -L): the default table spreads over the new queues,
 * a table the user set stays (the core refuses queue counts that would leave it dangling).
 * Additional contexts keep their tables, which the core checks the same way.
 */
void ofnic_rss_respread(struct ofnic_priv *priv)
{
	if (!netif_is_rxfh_configured(priv->netdev))
		ofnic_rss_indir_default(&priv->rss[0], priv->num_queues);
}

u32 ofnic_get_rxfh_key_size(struct net_device *netdev)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	return priv->caps & OFNIC_CAP_RSS ? OFNIC_RSS_KEY_SIZE : 0;
}

u32 ofnic_get_rxfh_indir_size(struct net_device *netdev)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	return priv->caps & OFNIC_CAP_RSS ? ofnic_rss_indir_size(priv->num_queues) : 0;
}

/*
 * Before a queue count change (ethtool -L, which has no extack) that resizes the table: the
 * core refuses to fold a table below what the user set, or one that does not repeat at the
 * new size.
 */
int ofnic_rss_can_resize(struct ofnic_priv *priv, unsigned int num_queues)
{
	u32 old_size = ofnic_rss_indir_size(priv->num_queues);
	u32 new_size = ofnic_rss_indir_size(num_queues);
	unsigned int i;
	bool ok;
	u32 *tbl;

	if (!(priv->caps & OFNIC_CAP_RSS) || new_size == old_size)
		return 0;
	tbl = kmalloc_array(old_size, sizeof(*tbl), GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	for (i = 0; i < old_size; i++)
		tbl[i] = priv->rss[0].indir[i];
	ok = ethtool_rxfh_indir_can_resize(priv->netdev, tbl, old_size, new_size);
	kfree(tbl);
	if (!ok) {
		netdev_err(priv->netdev,
			   "%u queues: the RSS indirection table the user set cannot go from %u to %u entries\n",
			   num_queues, old_size, new_size);
		return -EINVAL;
	}
	if (ethtool_rxfh_ctxs_can_resize(priv->netdev, new_size)) {
		netdev_err(priv->netdev,
			   "%u queues: an RSS context's indirection table cannot go from %u to %u entries\n",
			   num_queues, old_size, new_size);
		return -EINVAL;
	}

	return 0;
}

/*
 * After it: fold or unfold every table as the core did its copies. Unfolding repeats the
 * table, which the device's copy already does; a default table 0 was spread afresh.
 */
void ofnic_rss_resize(struct ofnic_priv *priv, unsigned int old_queues)
{
	u32 old_size = ofnic_rss_indir_size(old_queues);
	u32 new_size = ofnic_rss_indir_size(priv->num_queues);
	unsigned int c;

	if (!(priv->caps & OFNIC_CAP_RSS) || new_size == old_size)
		return;
	for (c = 0; c < OFNIC_RSS_MAX_CONTEXTS; c++) {
		if (!priv->rss[c].active || (c == 0 && !netif_is_rxfh_configured(priv->netdev)))
			continue;
		if (new_size < old_size) {
			ofnic_rss_indir_fold(&priv->rss[c], new_size);
			ofnic_hw_rss_write(priv, c, OFNIC_RSS_W_INDIR);
		}
	}
	ethtool_rxfh_ctxs_resize(priv->netdev, new_size);
}

/* Context 0; the core answers for the others from what it was given */
int ofnic_get_rxfh(struct net_device *netdev, struct ethtool_rxfh_param *rxfh)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	const struct ofnic_rss_ctx *ctx = &priv->rss[0];
	unsigned int i;

	if (!(priv->caps & OFNIC_CAP_RSS))
		return -EOPNOTSUPP;

	rxfh->hfunc = ETH_RSS_HASH_TOP;
	if (rxfh->indir)
		for (i = 0; i < ofnic_rss_indir_size(priv->num_queues); i++)
			rxfh->indir[i] = ctx->indir[i];
	if (rxfh->key)
		memcpy(rxfh->key, ctx->key, sizeof(ctx->key));
	rxfh->input_xfrm = ctx->input_xfrm;

	return 0;
}

/* The core has refused transforms outside supported_input_xfrm and asymmetric hash fields */
static int ofnic_rss_check(struct ofnic_priv *priv, const struct ethtool_rxfh_param *rxfh,
			   struct netlink_ext_ack *extack)
{
	if (rxfh->hfunc != ETH_RSS_HASH_NO_CHANGE && rxfh->hfunc != ETH_RSS_HASH_TOP) {
		NL_SET_ERR_MSG_MOD(extack, "only the Toeplitz hash function is supported");
		return -EOPNOTSUPP;
	}
	if (rxfh->input_xfrm && rxfh->input_xfrm != RXH_XFRM_NO_CHANGE &&
	    !(priv->caps & OFNIC_CAP_RSS_SYM)) {
		NL_SET_ERR_MSG_MOD(extack, "the device has no symmetric RSS (OFNIC_CAP_RSS_SYM)");
		return -EOPNOTSUPP;
	}

	return 0;
}

/*
 * The core has checked the table against the queue count (ETHTOOL_GRXRINGS). Returns what
 * changed, for ofnic_hw_rss_write().
 */
static unsigned int ofnic_rss_update(struct ofnic_rss_ctx *ctx,
				     const struct ethtool_rxfh_param *rxfh, u32 size)
{
	unsigned int i, what = 0;

	if (rxfh->indir) {
		for (i = 0; i < OFNIC_RSS_INDIR_SIZE; i++)
			ctx->indir[i] = rxfh->indir[i % size];
		what |= OFNIC_RSS_W_INDIR;
	}
	if (rxfh->key) {
		memcpy(ctx->key, rxfh->key, sizeof(ctx->key));
		what |= OFNIC_RSS_W_KEY;
	}
	/* RSS_CTRL, which carries the transform, is written every time */
	if (rxfh->input_xfrm != RXH_XFRM_NO_CHANGE)
		ctx->input_xfrm = rxfh->input_xfrm;

	return what;
}

/* An ntuple rule that spreads over context c adds its queue offset to the table's entries */
static bool ofnic_ntuple_uses_ctx(const struct ofnic_ntuple *rule, u32 c)
{
	return rule->valid && (rule->fs.flow_type & FLOW_RSS) && rule->rss_context == c;
}

/* Queue offsets of the rules on context c still fit a table whose top entry is max */
static bool ofnic_ntuple_ctx_fits(struct ofnic_priv *priv, u32 c, unsigned int max,
				  unsigned int num_queues)
{
	unsigned int r;

	for (r = 0; r < OFNIC_NTUPLE_MAX_RULES; r++) {
		const struct ofnic_ntuple *rule = &priv->ntuple[r];

		if (ofnic_ntuple_uses_ctx(rule, c) &&
		    max + ethtool_get_flow_spec_ring(rule->fs.ring_cookie) >= num_queues)
			return false;
	}

	return true;
}

int ofnic_set_rxfh(struct net_device *netdev, struct ethtool_rxfh_param *rxfh,
		   struct netlink_ext_ack *extack)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	struct ofnic_rss_ctx new;
	unsigned int what;
	int err;

	if (!(priv->caps & OFNIC_CAP_RSS))
		return -EOPNOTSUPP;
	/* other contexts come through the rxfh_context operations */
	if (rxfh->rss_context)
		return -EINVAL;

	err = ofnic_rss_check(priv, rxfh, extack);
	if (err)
		return err;

	new = priv->rss[0];
	what = ofnic_rss_update(&new, rxfh, ofnic_rss_indir_size(priv->num_queues));
	if (!ofnic_ntuple_ctx_fits(priv, 0, ofnic_rss_max_queue(&new), priv->num_queues)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "an ntuple rule's queue offset on context 0 would pass the last queue");
		return -EINVAL;
	}

	priv->rss[0] = new;
	ofnic_hw_rss_write(priv, 0, what);

	return 0;
}

int ofnic_create_rxfh_context(struct net_device *netdev, struct ethtool_rxfh_context *ctx,
			      const struct ethtool_rxfh_param *rxfh,
			      struct netlink_ext_ack *extack)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	u32 c = rxfh->rss_context;
	struct ofnic_rss_ctx *rc;
	unsigned int i;
	int err;

	if (!(priv->caps & OFNIC_CAP_RSS_CONTEXTS)) {
		NL_SET_ERR_MSG_MOD(extack, "the device has no additional RSS contexts");
		return -EOPNOTSUPP;
	}
	/* the core allocates IDs below rxfh_max_num_contexts */
	if (c == 0 || c >= OFNIC_RSS_MAX_CONTEXTS)
		return -EINVAL;

	err = ofnic_rss_check(priv, rxfh, extack);
	if (err)
		return err;

	rc = &priv->rss[c];
	netdev_rss_key_fill(rc->key, sizeof(rc->key));
	rc->fields = OFNIC_RSS_FIELDS_DEFAULT;
	rc->input_xfrm = 0;
	ofnic_rss_indir_default(rc, priv->num_queues);
	ofnic_rss_update(rc, rxfh, ctx->indir_size);
	rc->active = true;
	ofnic_hw_rss_write(priv, c, OFNIC_RSS_W_ALL);

	/* the core keeps what it was given; the defaults it was not are ours to tell */
	if (!rxfh->indir)
		for (i = 0; i < ctx->indir_size; i++)
			ethtool_rxfh_context_indir(ctx)[i] = rc->indir[i];
	if (!rxfh->key)
		memcpy(ethtool_rxfh_context_key(ctx), rc->key, sizeof(rc->key));
	ctx->hfunc = ETH_RSS_HASH_TOP;
	ctx->input_xfrm = rc->input_xfrm;

	return 0;
}

int ofnic_modify_rxfh_context(struct net_device *netdev, struct ethtool_rxfh_context *ctx,
			      const struct ethtool_rxfh_param *rxfh,
			      struct netlink_ext_ack *extack)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	u32 c = rxfh->rss_context;
	struct ofnic_rss_ctx new;
	unsigned int what;
	int err;

	if (c == 0 || c >= OFNIC_RSS_MAX_CONTEXTS || !priv->rss[c].active)
		return -EINVAL;

	err = ofnic_rss_check(priv, rxfh, extack);
	if (err)
		return err;

	new = priv->rss[c];
	what = ofnic_rss_update(&new, rxfh, ctx->indir_size);
	if (!ofnic_ntuple_ctx_fits(priv, c, ofnic_rss_max_queue(&new), priv->num_queues)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "an ntuple rule's queue offset on this context would pass the last queue");
		return -EINVAL;
	}

	priv->rss[c] = new;
	ofnic_hw_rss_write(priv, c, what);

	return 0;
}

int ofnic_remove_rxfh_context(struct net_device *netdev, struct ethtool_rxfh_context *ctx,
			      u32 rss_context, struct netlink_ext_ack *extack)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	unsigned int r;

	if (rss_context == 0 || rss_context >= OFNIC_RSS_MAX_CONTEXTS ||
	    !priv->rss[rss_context].active)
		return -EINVAL;

	for (r = 0; r < OFNIC_NTUPLE_MAX_RULES; r++) {
		if (ofnic_ntuple_uses_ctx(&priv->ntuple[r], rss_context)) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "RSS context %u is used by ntuple rule %u",
					       rss_context, r);
			return -EBUSY;
		}
	}

	priv->rss[rss_context].active = false;
	ofnic_hw_rss_disable(priv, rss_context);

	return 0;
}

/* Hash field selection (rx-flow-hash): ethtool flow types the device tells apart */
static int ofnic_rss_flow(u32 flow_type)
{
	switch (flow_type) {
	case TCP_V4_FLOW:
		return OFNIC_FLOW_TCP4;
	case UDP_V4_FLOW:
		return OFNIC_FLOW_UDP4;
	case IPV4_FLOW:
		return OFNIC_FLOW_IP4;
	case TCP_V6_FLOW:
		return OFNIC_FLOW_TCP6;
	case UDP_V6_FLOW:
		return OFNIC_FLOW_UDP6;
	case IPV6_FLOW:
		return OFNIC_FLOW_IP6;
	default:
		return -EOPNOTSUPP;
	}
}

static bool ofnic_rss_flow_v6(int flow)
{
	return flow == OFNIC_FLOW_TCP6 || flow == OFNIC_FLOW_UDP6 || flow == OFNIC_FLOW_IP6;
}

static const struct {
	u32 rxh;
	u32 field;
} ofnic_rss_fields[] = {
	{ RXH_IP_SRC,	OFNIC_RSS_FIELD_SRC_IP },
	{ RXH_IP_DST,	OFNIC_RSS_FIELD_DST_IP },
	{ RXH_L4_B_0_1,	OFNIC_RSS_FIELD_SRC_PORT },
	{ RXH_L4_B_2_3,	OFNIC_RSS_FIELD_DST_PORT },
};

static struct ofnic_rss_ctx *ofnic_rss_ctx_get(struct ofnic_priv *priv, u32 c)
{
	if (!(priv->caps & OFNIC_CAP_RSS) || c >= OFNIC_RSS_MAX_CONTEXTS || !priv->rss[c].active)
		return NULL;

	return &priv->rss[c];
}

int ofnic_get_rxfh_fields(struct net_device *netdev, struct ethtool_rxfh_fields *fields)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	struct ofnic_rss_ctx *ctx;
	unsigned int i;
	u32 bits;
	int flow;

	ctx = ofnic_rss_ctx_get(priv, fields->rss_context);
	if (!ctx)
		return -EINVAL;
	flow = ofnic_rss_flow(fields->flow_type);
	if (flow < 0)
		return flow;

	bits = ctx->fields >> (4 * flow);
	fields->data = 0;
	for (i = 0; i < ARRAY_SIZE(ofnic_rss_fields); i++)
		if (bits & ofnic_rss_fields[i].field)
			fields->data |= ofnic_rss_fields[i].rxh;
	if (ofnic_rss_flow_v6(flow) && (ctx->fields & OFNIC_RSS_FIELD_FLOW_LABEL(flow)))
		fields->data |= RXH_IP6_FL;

	return 0;
}

int ofnic_set_rxfh_fields(struct net_device *netdev, const struct ethtool_rxfh_fields *fields,
			  struct netlink_ext_ack *extack)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	u32 allowed = RXH_IP_SRC | RXH_IP_DST;
	struct ofnic_rss_ctx *ctx;
	unsigned int i;
	u32 bits = 0;
	int flow;

	ctx = ofnic_rss_ctx_get(priv, fields->rss_context);
	if (!ctx) {
		NL_SET_ERR_MSG_MOD(extack, "no such RSS context");
		return -EINVAL;
	}
	flow = ofnic_rss_flow(fields->flow_type);
	if (flow < 0) {
		NL_SET_ERR_MSG_MOD(extack, "hash fields are for TCP, UDP and IP flows only");
		return flow;
	}

	if (flow != OFNIC_FLOW_IP4 && flow != OFNIC_FLOW_IP6)
		allowed |= RXH_L4_B_0_1 | RXH_L4_B_2_3;
	if ((fields->data & RXH_IP6_FL) && !ofnic_rss_flow_v6(flow)) {
		NL_SET_ERR_MSG_MOD(extack, "the flow label is an IPv6 field");
		return -EINVAL;
	}
	if ((fields->data & RXH_IP6_FL) && !(priv->caps & OFNIC_CAP_RSS_FLOW_LABEL)) {
		NL_SET_ERR_MSG_MOD(extack, "the device does not hash the IPv6 flow label");
		return -EOPNOTSUPP;
	}
	if (fields->data & ~(allowed | RXH_IP6_FL)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the device hashes IP addresses, TCP/UDP ports and the IPv6 flow label only");
		return -EINVAL;
	}

	for (i = 0; i < ARRAY_SIZE(ofnic_rss_fields); i++)
		if (fields->data & ofnic_rss_fields[i].rxh)
			bits |= ofnic_rss_fields[i].field;

	ctx->fields &= ~(0xfU << (4 * flow));
	ctx->fields |= bits << (4 * flow);
	if (ofnic_rss_flow_v6(flow)) {
		ctx->fields &= ~OFNIC_RSS_FIELD_FLOW_LABEL(flow);
		if (fields->data & RXH_IP6_FL)
			ctx->fields |= OFNIC_RSS_FIELD_FLOW_LABEL(flow);
	}
	ofnic_hw_rss_write(priv, fields->rss_context, OFNIC_RSS_W_FIELDS);

	return 0;
}

/* ------------------------------------------------------------------------------------------
 * ntuple rules
 */

/* ethtool flow types of ntuple rules, as OFNIC_FLOW_* */
static int ofnic_ntuple_flow(u32 flow_type)
{
	switch (flow_type) {
	case TCP_V4_FLOW:
		return OFNIC_FLOW_TCP4;
	case UDP_V4_FLOW:
		return OFNIC_FLOW_UDP4;
	case IPV4_USER_FLOW:
		return OFNIC_FLOW_IP4;
	case TCP_V6_FLOW:
		return OFNIC_FLOW_TCP6;
	case UDP_V6_FLOW:
		return OFNIC_FLOW_UDP6;
	case IPV6_USER_FLOW:
		return OFNIC_FLOW_IP6;
	default:
		return -EOPNOTSUPP;
	}
}

/* Addresses are in packet byte order: byte 4n + i in bits 8i + 7:8i of word n */
static void ofnic_ntuple_addr(u32 *w, unsigned int reg0, const __be32 *addr, unsigned int words)
{
	unsigned int n;

	for (n = 0; n < words; n++)
		w[OFNIC_NTW(reg0) + n] = get_unaligned_le32(&addr[n]);
}

static void ofnic_ntuple_ports(u32 *w, __be16 psrc, __be16 pdst, __be16 msrc, __be16 mdst)
{
	w[OFNIC_NTW(OFNIC_REG_NTUPLE_PORTS(0))] = ntohs(psrc) | ntohs(pdst) << 16;
	w[OFNIC_NTW(OFNIC_REG_NTUPLE_PORT_MASK(0))] = ntohs(msrc) | ntohs(mdst) << 16;
}

/*
 * The match part of a rule as register words. The device matches addresses and ports under
 * masks; anything else (TOS, the IP protocol, the first L4 bytes of "ip4"/"ip6" rules,
 * VLAN or MAC fields) is refused rather than ignored.
 */
static int ofnic_ntuple_match(const struct ethtool_rx_flow_spec *fs, u32 *w)
{
	const struct ethtool_tcpip6_spec *h6, *m6;
	const struct ethtool_tcpip4_spec *h4, *m4;
	const struct ethtool_usrip6_spec *uh6, *um6;
	const struct ethtool_usrip4_spec *uh4, *um4;

	if (fs->flow_type & (FLOW_EXT | FLOW_MAC_EXT))
		return -EOPNOTSUPP;

	switch (fs->flow_type & ~FLOW_RSS) {
	case TCP_V4_FLOW:
	case UDP_V4_FLOW:
		h4 = &fs->h_u.tcp_ip4_spec;
		m4 = &fs->m_u.tcp_ip4_spec;
		if (m4->tos)
			return -EOPNOTSUPP;
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_SRC_IP(0, 0), &h4->ip4src, 1);
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_SRC_MASK(0, 0), &m4->ip4src, 1);
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_DST_IP(0, 0), &h4->ip4dst, 1);
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_DST_MASK(0, 0), &m4->ip4dst, 1);
		ofnic_ntuple_ports(w, h4->psrc, h4->pdst, m4->psrc, m4->pdst);
		break;
	case IPV4_USER_FLOW:
		uh4 = &fs->h_u.usr_ip4_spec;
		um4 = &fs->m_u.usr_ip4_spec;
		if (um4->l4_4_bytes || um4->tos || um4->proto || um4->ip_ver)
			return -EOPNOTSUPP;
		if (uh4->ip_ver != ETH_RX_NFC_IP4)
			return -EINVAL;
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_SRC_IP(0, 0), &uh4->ip4src, 1);
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_SRC_MASK(0, 0), &um4->ip4src, 1);
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_DST_IP(0, 0), &uh4->ip4dst, 1);
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_DST_MASK(0, 0), &um4->ip4dst, 1);
		break;
	case TCP_V6_FLOW:
	case UDP_V6_FLOW:
		h6 = &fs->h_u.tcp_ip6_spec;
		m6 = &fs->m_u.tcp_ip6_spec;
		if (m6->tclass)
			return -EOPNOTSUPP;
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_SRC_IP(0, 0), h6->ip6src, 4);
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_SRC_MASK(0, 0), m6->ip6src, 4);
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_DST_IP(0, 0), h6->ip6dst, 4);
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_DST_MASK(0, 0), m6->ip6dst, 4);
		ofnic_ntuple_ports(w, h6->psrc, h6->pdst, m6->psrc, m6->pdst);
		break;
	case IPV6_USER_FLOW:
		uh6 = &fs->h_u.usr_ip6_spec;
		um6 = &fs->m_u.usr_ip6_spec;
		if (um6->l4_4_bytes || um6->tclass || um6->l4_proto)
			return -EOPNOTSUPP;
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_SRC_IP(0, 0), uh6->ip6src, 4);
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_SRC_MASK(0, 0), um6->ip6src, 4);
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_DST_IP(0, 0), uh6->ip6dst, 4);
		ofnic_ntuple_addr(w, OFNIC_REG_NTUPLE_DST_MASK(0, 0), um6->ip6dst, 4);
		break;
	default:
		return -EOPNOTSUPP;
	}

	return 0;
}

/* A rule as register words: match, then the action, checked against the queues and contexts */
static int ofnic_ntuple_words(struct ofnic_priv *priv, const struct ethtool_rx_flow_spec *fs,
			      u32 rss_context, unsigned int num_queues, u32 *w)
{
	int flow = ofnic_ntuple_flow(fs->flow_type & ~(FLOW_RSS | FLOW_EXT | FLOW_MAC_EXT));
	u32 action, queue = 0, ctx = 0;
	u64 ring;
	int err;

	if (flow < 0)
		return flow;

	memset(w, 0, OFNIC_NTUPLE_WORDS * sizeof(*w));
	err = ofnic_ntuple_match(fs, w);
	if (err)
		return err;

	if (fs->ring_cookie == RX_CLS_FLOW_WAKE ||
	    (fs->ring_cookie != RX_CLS_FLOW_DISC && ethtool_get_flow_spec_ring_vf(fs->ring_cookie)))
		return -EOPNOTSUPP;

	if (fs->ring_cookie == RX_CLS_FLOW_DISC) {
		if (fs->flow_type & FLOW_RSS)
			return -EINVAL;
		action = OFNIC_NTUPLE_ACTION_DROP;
	} else {
		ring = ethtool_get_flow_spec_ring(fs->ring_cookie);
		if (fs->flow_type & FLOW_RSS) {
			/* a table entry plus the rule's queue offset (cap_rss_rxnfc_adds) */
			const struct ofnic_rss_ctx *rc = ofnic_rss_ctx_get(priv, rss_context);

			if (!rc || ring + ofnic_rss_max_queue(rc) >= num_queues)
				return -EINVAL;
			action = OFNIC_NTUPLE_ACTION_CONTEXT;
			ctx = rss_context;
		} else {
			if (ring >= num_queues)
				return -EINVAL;
			action = OFNIC_NTUPLE_ACTION_QUEUE;
		}
		queue = ring;
	}

	w[0] = OFNIC_NTUPLE_VALID | FIELD_PREP(OFNIC_NTUPLE_FLOW_MASK, flow) |
	       FIELD_PREP(OFNIC_NTUPLE_ACTION_MASK, action);
	w[OFNIC_NTW(OFNIC_REG_NTUPLE_ACTION(0))] = FIELD_PREP(OFNIC_NTUPLE_QUEUE_MASK, queue) |
						   FIELD_PREP(OFNIC_NTUPLE_CONTEXT_MASK, ctx);

	return 0;
}

/* Where an insert with a special location goes: the first or the last free slot */
static int ofnic_ntuple_loc(struct ofnic_priv *priv, u32 loc)
{
	int r;

	switch (loc) {
	case RX_CLS_LOC_ANY:
	case RX_CLS_LOC_FIRST:
		for (r = 0; r < OFNIC_NTUPLE_MAX_RULES; r++)
			if (!priv->ntuple[r].valid)
				return r;
		return -ENOSPC;
	case RX_CLS_LOC_LAST:
		for (r = OFNIC_NTUPLE_MAX_RULES - 1; r >= 0; r--)
			if (!priv->ntuple[r].valid)
				return r;
		return -ENOSPC;
	default:
		return loc < OFNIC_NTUPLE_MAX_RULES ? loc : -EINVAL;
	}
}

/*
 * The rule whose match is w's (only its action may differ), or -ENOENT. A rule after it
 * with the same match could never be hit: an insert at RX_CLS_LOC_ANY replaces it instead.
 */
static int ofnic_ntuple_find(struct ofnic_priv *priv, const u32 *w)
{
	const unsigned int act = OFNIC_NTW(OFNIC_REG_NTUPLE_ACTION(0));
	u32 w2[OFNIC_NTUPLE_WORDS];
	unsigned int r, i;

	for (r = 0; r < OFNIC_NTUPLE_MAX_RULES; r++) {
		const struct ofnic_ntuple *rule = &priv->ntuple[r];

		if (!rule->valid ||
		    ofnic_ntuple_words(priv, &rule->fs, rule->rss_context, priv->num_queues, w2) ||
		    (w[0] ^ w2[0]) & ~OFNIC_NTUPLE_ACTION_MASK)
			continue;
		for (i = 1; i < OFNIC_NTUPLE_WORDS; i++)
			if (i != act && w[i] != w2[i])
				break;
		if (i == OFNIC_NTUPLE_WORDS)
			return r;
	}

	return -ENOENT;
}

static int ofnic_ntuple_insert(struct ofnic_priv *priv, struct ethtool_rxnfc *cmd)
{
	struct ethtool_rx_flow_spec *fs = &cmd->fs;
	u32 w[OFNIC_NTUPLE_WORDS];
	struct ofnic_ntuple *rule;
	int loc, err;

	if (!(priv->netdev->features & NETIF_F_NTUPLE))
		return -EOPNOTSUPP;

	err = ofnic_ntuple_words(priv, fs, cmd->rss_context, priv->num_queues, w);
	if (err)
		return err;

	loc = fs->location == RX_CLS_LOC_ANY ? ofnic_ntuple_find(priv, w) : -ENOENT;
	if (loc < 0)
		loc = ofnic_ntuple_loc(priv, fs->location);
	if (loc < 0)
		return loc;
	fs->location = loc;

	rule = &priv->ntuple[loc];
	if (!rule->valid)
		priv->ntuple_count++;
	rule->fs = *fs;
	rule->rss_context = fs->flow_type & FLOW_RSS ? cmd->rss_context : 0;
	rule->valid = true;
	ofnic_hw_ntuple_write(priv, loc, w);

	return 0;
}

static int ofnic_ntuple_delete(struct ofnic_priv *priv, u32 loc)
{
	u32 w[OFNIC_NTUPLE_WORDS] = {};

	if (loc >= OFNIC_NTUPLE_MAX_RULES || !priv->ntuple[loc].valid)
		return -ENOENT;

	priv->ntuple[loc].valid = false;
	priv->ntuple_count--;
	ofnic_hw_ntuple_write(priv, loc, w);

	return 0;
}

/* ntuple turned off: the rules go, as in other drivers */
void ofnic_ntuple_clear(struct ofnic_priv *priv)
{
	unsigned int r;

	for (r = 0; r < OFNIC_NTUPLE_MAX_RULES; r++)
		if (priv->ntuple[r].valid)
			ofnic_ntuple_delete(priv, r);
}

/*
 * Whether every rule still names existing queues with num_queues queues. The core checks
 * rules to a queue; a rule to a context adds its offset to the table, which only we know.
 */
bool ofnic_ntuple_fits(struct ofnic_priv *priv, unsigned int num_queues)
{
	u32 w[OFNIC_NTUPLE_WORDS];
	unsigned int r;

	for (r = 0; r < OFNIC_NTUPLE_MAX_RULES; r++) {
		const struct ofnic_ntuple *rule = &priv->ntuple[r];

		if (rule->valid &&
		    ofnic_ntuple_words(priv, &rule->fs, rule->rss_context, num_queues, w))
			return false;
	}

	return true;
}

/* At ofnic_up(): the whole steering configuration, into a device that may have been reset */
void ofnic_flow_program(struct ofnic_priv *priv)
{
	u32 w[OFNIC_NTUPLE_WORDS];
	unsigned int c, r;

	if (priv->caps & OFNIC_CAP_RSS) {
		for (c = 0; c < OFNIC_RSS_MAX_CONTEXTS; c++) {
			if (priv->rss[c].active)
				ofnic_hw_rss_write(priv, c, OFNIC_RSS_W_ALL);
			else if (priv->caps & OFNIC_CAP_RSS_CONTEXTS)
				ofnic_hw_rss_disable(priv, c);
		}
	}

	if (!(priv->caps & OFNIC_CAP_NTUPLE))
		return;
	for (r = 0; r < OFNIC_NTUPLE_MAX_RULES; r++) {
		const struct ofnic_ntuple *rule = &priv->ntuple[r];

		memset(w, 0, sizeof(w));
		if (rule->valid &&
		    ofnic_ntuple_words(priv, &rule->fs, rule->rss_context, priv->num_queues, w)) {
			/* what ethtool -n lists is what the device steers by */
			netdev_warn(priv->netdev, "ntuple rule %u no longer fits: deleted\n", r);
			ofnic_ntuple_delete(priv, r);
			continue;
		}
		ofnic_hw_ntuple_write(priv, r, w);
	}
}

u32 ofnic_get_rx_ring_count(struct net_device *netdev)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	return priv->num_queues;
}

int ofnic_get_rxnfc(struct net_device *netdev, struct ethtool_rxnfc *cmd, u32 *rule_locs)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	unsigned int r, n = 0;

	if (!OFNIC_HAVE_RX_RING_COUNT_OP && cmd->cmd == ETHTOOL_GRXRINGS) {
		cmd->data = ofnic_get_rx_ring_count(netdev);
		return 0;
	}
	if (!(priv->caps & OFNIC_CAP_NTUPLE))
		return -EOPNOTSUPP;

	switch (cmd->cmd) {
	case ETHTOOL_GRXCLSRLCNT:
		cmd->rule_cnt = priv->ntuple_count;
		cmd->data = OFNIC_NTUPLE_MAX_RULES | RX_CLS_LOC_SPECIAL;
		return 0;
	case ETHTOOL_GRXCLSRULE:
		r = cmd->fs.location;
		if (r >= OFNIC_NTUPLE_MAX_RULES || !priv->ntuple[r].valid)
			return -ENOENT;
		cmd->fs = priv->ntuple[r].fs;
		if (cmd->fs.flow_type & FLOW_RSS)
			cmd->rss_context = priv->ntuple[r].rss_context;
		return 0;
	case ETHTOOL_GRXCLSRLALL:
		cmd->data = OFNIC_NTUPLE_MAX_RULES;
		for (r = 0; r < OFNIC_NTUPLE_MAX_RULES; r++) {
			if (!priv->ntuple[r].valid)
				continue;
			if (n == cmd->rule_cnt)
				return -EMSGSIZE;
			rule_locs[n++] = r;
		}
		cmd->rule_cnt = n;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

int ofnic_set_rxnfc(struct net_device *netdev, struct ethtool_rxnfc *cmd)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	if (!(priv->caps & OFNIC_CAP_NTUPLE))
		return -EOPNOTSUPP;

	switch (cmd->cmd) {
	case ETHTOOL_SRXCLSRLINS:
		return ofnic_ntuple_insert(priv, cmd);
	case ETHTOOL_SRXCLSRLDEL:
		return ofnic_ntuple_delete(priv, cmd->fs.location);
	default:
		return -EOPNOTSUPP;
	}
}

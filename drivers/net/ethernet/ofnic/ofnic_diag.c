// SPDX-License-Identifier: GPL-2.0
/* ofnic: diagnostics: register dump (ethtool -d) and self-test (ethtool -t) */

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/unaligned.h>

#include "ofnic.h"

/*
 * Register dump: (offset, value) pairs of u32, so that the hex dump of ethtool -d reads
 * without a decoder; regs->version is the datasheet version (OFNIC_REG_VERSION). Only
 * registers the datasheet defines are read: the global block, the tunnel port table, each
 * RSS context's control and fields, and every queue's registers. The large tables (RSS key
 * and indirection, VLAN and multicast filters, ntuple rules) have their own ethtool views.
 */
static const u16 ofnic_dump_global[] = {
	OFNIC_REG_ID, OFNIC_REG_VERSION, OFNIC_REG_CAP_LO, OFNIC_REG_CAP_HI, OFNIC_REG_QUEUES,
	OFNIC_REG_VECTORS, OFNIC_REG_RING_MAX, OFNIC_REG_MTU_MAX, OFNIC_REG_TSO_LIMITS,
	OFNIC_REG_TSO_MAX_PAYLOAD, OFNIC_REG_CTRL, OFNIC_REG_STATUS, OFNIC_REG_OFFLOAD_CTRL,
	OFNIC_REG_PERM_MAC_LO, OFNIC_REG_PERM_MAC_HI, OFNIC_REG_MAC_LO, OFNIC_REG_MAC_HI,
	OFNIC_REG_MAX_FRAME, OFNIC_REG_FC_CTRL, OFNIC_REG_FC_QUANTA, OFNIC_REG_FEC_CTRL,
	OFNIC_REG_MISC_CAUSE, OFNIC_REG_MISC_MASK, OFNIC_REG_MISC_VECTOR, OFNIC_REG_RSC_CTRL,
	OFNIC_REG_RSC_FLOWS,
};

static const u8 ofnic_dump_txq[] = {
	OFNIC_Q_BASE_LO, OFNIC_Q_BASE_HI, OFNIC_Q_SIZE, OFNIC_Q_CTRL, OFNIC_Q_TAIL, OFNIC_Q_HEAD,
	OFNIC_Q_ITR, OFNIC_TXQ_HEAD_WB_LO, OFNIC_TXQ_HEAD_WB_HI,
};

static const u8 ofnic_dump_rxq[] = {
	OFNIC_Q_BASE_LO, OFNIC_Q_BASE_HI, OFNIC_Q_SIZE, OFNIC_Q_CTRL, OFNIC_Q_TAIL, OFNIC_Q_HEAD,
	OFNIC_Q_ITR, OFNIC_RXQ_BUF_SIZE,
};

#define OFNIC_DUMP_REGS(queues)						\
	(ARRAY_SIZE(ofnic_dump_global) + OFNIC_TUNNEL_PORTS + 2 * OFNIC_RSS_MAX_CONTEXTS +	\
	 (queues) * (ARRAY_SIZE(ofnic_dump_txq) + ARRAY_SIZE(ofnic_dump_rxq)))

int ofnic_get_regs_len(struct net_device *netdev)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	return OFNIC_DUMP_REGS(priv->hw_queues) * 2 * sizeof(u32);
}

static u32 *ofnic_dump_one(struct ofnic_priv *priv, u32 *p, u32 reg)
{
	*p++ = reg;
	*p++ = ofnic_rd32(priv, reg);
	return p;
}

void ofnic_get_regs(struct net_device *netdev, struct ethtool_regs *regs, void *buf)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	u32 *p = buf;
	unsigned int i;
	u16 q;

	regs->version = priv->version;
	for (i = 0; i < ARRAY_SIZE(ofnic_dump_global); i++)
		p = ofnic_dump_one(priv, p, ofnic_dump_global[i]);
	for (i = 0; i < OFNIC_TUNNEL_PORTS; i++)
		p = ofnic_dump_one(priv, p, OFNIC_REG_TUNNEL_PORT(i));
	for (i = 0; i < OFNIC_RSS_MAX_CONTEXTS; i++) {
		p = ofnic_dump_one(priv, p, OFNIC_REG_RSS_CTRL(i));
		p = ofnic_dump_one(priv, p, OFNIC_REG_RSS_FIELDS(i));
	}
	for (q = 0; q < priv->hw_queues; q++) {
		for (i = 0; i < ARRAY_SIZE(ofnic_dump_txq); i++)
			p = ofnic_dump_one(priv, p, OFNIC_TXQ(q) + ofnic_dump_txq[i]);
		for (i = 0; i < ARRAY_SIZE(ofnic_dump_rxq); i++)
			p = ofnic_dump_one(priv, p, OFNIC_RXQ(q) + ofnic_dump_rxq[i]);
	}
}

/*
 * Self-test. Offline (ethtool -t DEV offline, the default) takes the interface down for the
 * register and loopback tests and brings it up again; online runs the link test alone.
 * A result is 0 on success, else what failed: for the register test the offset of the
 * register + 1, for the loopback test 1 no memory, 2 timeout, 3 no room, 4/5 TX HEAD or its
 * write-back wrong, 10 + i frame i missing, reordered or changed.
 */
enum ofnic_test {
	OFNIC_TEST_REG,
	OFNIC_TEST_LINK,
	OFNIC_TEST_LOOPBACK,	/* last: only with OFNIC_CAP_LOOPBACK */
	OFNIC_TEST_NUM
};

static const char ofnic_test_names[OFNIC_TEST_NUM][ETH_GSTRING_LEN] = {
	[OFNIC_TEST_REG]	= "Register test  (offline)",
	[OFNIC_TEST_LINK]	= "Link test   (on/offline)",
	[OFNIC_TEST_LOOPBACK]	= "Loopback test  (offline)",
};

/* The tests this device can run: a device without loopback has no loopback test */
int ofnic_test_count(struct ofnic_priv *priv)
{
	return priv->caps & OFNIC_CAP_LOOPBACK ? OFNIC_TEST_NUM : OFNIC_TEST_LOOPBACK;
}

void ofnic_test_strings(struct ofnic_priv *priv, u8 *data)
{
	memcpy(data, ofnic_test_names, ofnic_test_count(priv) * ETH_GSTRING_LEN);
}

/* Read/write registers of queue pair 0 (disabled while the test runs) and the RSS key */
static u64 ofnic_test_regs(struct ofnic_priv *priv)
{
	static const u32 patterns[] = { 0x5a5a5a5a, 0xa5a5a5a5, 0xffffffff, 0 };
	static const struct {
		u32 reg;
		u32 mask;
	} rw[] = {
		{ OFNIC_TXQ(0) + OFNIC_Q_BASE_LO,	0xffffffff },
		{ OFNIC_TXQ(0) + OFNIC_Q_BASE_HI,	0xffffffff },
		{ OFNIC_TXQ(0) + OFNIC_Q_SIZE,		0xffffffff },
		{ OFNIC_TXQ(0) + OFNIC_Q_ITR,		OFNIC_Q_ITR_USECS_MASK },
		{ OFNIC_TXQ(0) + OFNIC_TXQ_HEAD_WB_LO,	0xffffffff },
		{ OFNIC_TXQ(0) + OFNIC_TXQ_HEAD_WB_HI,	0xffffffff },
		{ OFNIC_RXQ(0) + OFNIC_Q_BASE_LO,	0xffffffff },
		{ OFNIC_RXQ(0) + OFNIC_Q_BASE_HI,	0xffffffff },
		{ OFNIC_RXQ(0) + OFNIC_Q_SIZE,		0xffffffff },
		{ OFNIC_RXQ(0) + OFNIC_RXQ_BUF_SIZE,	0xffffffff },
		{ OFNIC_REG_RSS_KEY(0, 0),		0xffffffff },
		{ OFNIC_REG_RSS_KEY(0, 9),		0xffffffff },
	};
	unsigned int i, j;
	u64 err = 0;

	if (ofnic_rd32(priv, OFNIC_REG_ID) != OFNIC_ID_MAGIC)
		return OFNIC_REG_ID + 1;
	if (ofnic_rd32(priv, OFNIC_REG_QUEUES) != priv->hw_queues)
		return OFNIC_REG_QUEUES + 1;

	ofnic_wr32(priv, OFNIC_TXQ(0) + OFNIC_Q_CTRL, 0);
	ofnic_wr32(priv, OFNIC_RXQ(0) + OFNIC_Q_CTRL, 0);
	for (i = 0; i < ARRAY_SIZE(rw) && !err; i++) {
		for (j = 0; j < ARRAY_SIZE(patterns); j++) {
			u32 want = patterns[j] & rw[i].mask;
			u32 got;

			ofnic_wr32(priv, rw[i].reg, want);
			got = ofnic_rd32(priv, rw[i].reg);
			if (got != want) {
				netdev_err(priv->netdev,
					   "register test: %#x wrote %#x, read %#x\n",
					   rw[i].reg, want, got);
				err = rw[i].reg + 1;
				break;
			}
		}
	}
	ofnic_hw_rss_write(priv, 0, OFNIC_RSS_W_KEY);
	ofnic_hw_set_itr(priv, OFNIC_TXQ(0), 0, 0);

	return err;
}

/*
 * Loopback: frames sent on TX queue 0 with OFNIC_OFFLOAD_LOOPBACK come back on RX queue 0
 * (RSS off) unchanged. Rings and buffers of its own, in one coherent buffer.
 */
#define OFNIC_LB_RING		64
#define OFNIC_LB_FRAMES		8
#define OFNIC_LB_RX_BUFS	16
#define OFNIC_LB_BUF		2048	/* stride of the buffers */
#define OFNIC_LB_TX_RING	0
#define OFNIC_LB_RX_RING	(OFNIC_LB_RING * 16)
#define OFNIC_LB_HEAD_WB	(2 * OFNIC_LB_RING * 16)
#define OFNIC_LB_TX_BUF(i)	(4096 + (i) * OFNIC_LB_BUF)
#define OFNIC_LB_RX_BUF(i)	OFNIC_LB_TX_BUF(OFNIC_LB_FRAMES + (i))
#define OFNIC_LB_SIZE		OFNIC_LB_RX_BUF(OFNIC_LB_RX_BUFS)
#define OFNIC_LB_TIMEOUT_MS	500

static unsigned int ofnic_lb_len(struct ofnic_priv *priv, unsigned int i)
{
	static const unsigned int lens[OFNIC_LB_FRAMES] = {
		60, 61, 128, 255, 512, 1000, 1400, ETH_FRAME_LEN,
	};

	return min(lens[i], priv->netdev->mtu + ETH_HLEN);
}

static void ofnic_lb_frame(struct ofnic_priv *priv, u8 *f, unsigned int i)
{
	unsigned int len = ofnic_lb_len(priv, i), b;

	ether_addr_copy(f, priv->netdev->dev_addr);
	ether_addr_copy(f + ETH_ALEN, priv->netdev->dev_addr);
	put_unaligned_be16(ETH_P_802_EX1, f + 2 * ETH_ALEN);
	for (b = ETH_HLEN; b < len; b++)
		f[b] = b * 7 + i;
}

/* Is buf (len bytes) loopback frame i? */
static bool ofnic_lb_match(struct ofnic_priv *priv, const u8 *buf, unsigned int len, unsigned int i)
{
	unsigned int b;

	if (len != ofnic_lb_len(priv, i) || !ether_addr_equal(buf, priv->netdev->dev_addr) ||
	    !ether_addr_equal(buf + ETH_ALEN, priv->netdev->dev_addr) ||
	    get_unaligned_be16(buf + 2 * ETH_ALEN) != ETH_P_802_EX1)
		return false;
	for (b = ETH_HLEN; b < len; b++)
		if (buf[b] != (u8)(b * 7 + i))
			return false;
	return true;
}

/*
 * RX slot's completion: -EAGAIN while the device has not written it, 0 for a frame from the
 * wire (skipped), 1 for loopback frame *which.
 */
static int ofnic_lb_slot(struct ofnic_priv *priv, u8 *mem, unsigned int slot, unsigned int *which)
{
	const union ofnic_rx_slot *rx = (union ofnic_rx_slot *)(mem + OFNIC_LB_RX_RING) + slot;
	unsigned int i, len;
	u32 status;

	status = le32_to_cpu(READ_ONCE(rx->cmpl.status));
	if (!(status & OFNIC_RXC_DD))
		return -EAGAIN;
	/* the rest of the completion and the buffer after DD */
	dma_rmb();
	if (!(status & OFNIC_RXC_LOOPBACK))
		return 0;
	len = le16_to_cpu(rx->cmpl.len);
	*which = OFNIC_LB_FRAMES;
	if (status & OFNIC_RXC_EOP)
		for (i = 0; i < OFNIC_LB_FRAMES; i++)
			if (ofnic_lb_match(priv, mem + OFNIC_LB_RX_BUF(slot), len, i))
				*which = i;
	return 1;
}

static u64 ofnic_test_loopback(struct ofnic_priv *priv)
{
	struct ofnic_ring ring = { .size = OFNIC_LB_RING, .qid = 0 };
	struct device *dev = &priv->pdev->dev;
	unsigned int i, slot = 0, seen = 0;
	struct ofnic_tx_desc *txd;
	unsigned long timeout;
	dma_addr_t dma;
	u64 err = 0;
	u8 *mem;

	/* each frame in one RX buffer of the driver's size, within the buffer's slot here */
	BUILD_BUG_ON(ETH_FRAME_LEN > OFNIC_RX_BUF_SIZE || OFNIC_RX_BUF_SIZE > OFNIC_LB_BUF);
	mem = dma_alloc_coherent(dev, OFNIC_LB_SIZE, &dma, GFP_KERNEL);
	if (!mem)
		return 1;

	for (i = 0; i < OFNIC_LB_RX_BUFS; i++) {
		union ofnic_rx_slot *rx = (union ofnic_rx_slot *)(mem + OFNIC_LB_RX_RING) + i;

		rx->desc.addr = cpu_to_le64(dma + OFNIC_LB_RX_BUF(i));
	}
	txd = (struct ofnic_tx_desc *)(mem + OFNIC_LB_TX_RING);
	for (i = 0; i < OFNIC_LB_FRAMES; i++) {
		ofnic_lb_frame(priv, mem + OFNIC_LB_TX_BUF(i), i);
		txd[i].addr = cpu_to_le64(dma + OFNIC_LB_TX_BUF(i));
		txd[i].len = cpu_to_le32(ofnic_lb_len(priv, i));
		txd[i].cmd = cpu_to_le16(OFNIC_TXD_TYPE_DATA | OFNIC_TXD_EOP);
	}

	/*
	 * The driver's own queue programming, with vector 0 and moderation long enough that
	 * no interrupt is requested before the queues are disabled again.
	 */
	ofnic_wr32(priv, OFNIC_REG_OFFLOAD_CTRL, OFNIC_OFFLOAD_LOOPBACK);
	ofnic_wr32(priv, OFNIC_REG_CTRL, OFNIC_CTRL_ENABLE);
	ofnic_hw_set_itr(priv, OFNIC_RXQ(0), OFNIC_ITR_MAX_USECS, 0);
	ring.dma = dma + OFNIC_LB_RX_RING;
	ofnic_hw_rxq_enable(priv, &ring, 0);
	ofnic_wr32(priv, OFNIC_RXQ(0) + OFNIC_Q_TAIL, OFNIC_LB_RX_BUFS);
	ofnic_hw_set_itr(priv, OFNIC_TXQ(0), OFNIC_ITR_MAX_USECS, 0);
	ring.dma = dma + OFNIC_LB_TX_RING;
	ring.head_wb_dma = dma + OFNIC_LB_HEAD_WB;
	ofnic_hw_txq_enable(priv, &ring, 0);
	/* writel() orders the descriptor writes above before the doorbell */
	ofnic_wr32(priv, OFNIC_TXQ(0) + OFNIC_Q_TAIL, OFNIC_LB_FRAMES);

	/* each frame back once, in order, intact */
	timeout = jiffies + msecs_to_jiffies(OFNIC_LB_TIMEOUT_MS);
	while (seen < OFNIC_LB_FRAMES && slot < OFNIC_LB_RX_BUFS) {
		unsigned int which;
		int ret;

		ret = ofnic_lb_slot(priv, mem, slot, &which);
		if (ret == -EAGAIN) {
			if (time_after(jiffies, timeout)) {
				err = 2;
				break;
			}
			usleep_range(100, 200);
			continue;
		}
		slot++;
		if (!ret)
			continue;
		if (which != seen) {
			err = 10 + seen;
			break;
		}
		seen++;
	}
	if (!err && seen < OFNIC_LB_FRAMES)
		err = 3;	/* the ring filled up with frames from the wire */
	if (!err && ofnic_rd32(priv, OFNIC_TXQ(0) + OFNIC_Q_HEAD) != OFNIC_LB_FRAMES)
		err = 4;
	if (!err && le32_to_cpu(READ_ONCE(*(__le32 *)(mem + OFNIC_LB_HEAD_WB))) != OFNIC_LB_FRAMES)
		err = 5;
	if (err)
		netdev_err(priv->netdev, "loopback test failed at step %llu (%u of %u frames back)\n",
			   err, seen, OFNIC_LB_FRAMES);

	ofnic_hw_queues_disable(priv, 1);
	ofnic_hw_set_itr(priv, OFNIC_TXQ(0), 0, 0);
	ofnic_hw_set_itr(priv, OFNIC_RXQ(0), 0, 0);
	spin_lock_bh(&priv->offload_lock);
	ofnic_wr32(priv, OFNIC_REG_OFFLOAD_CTRL, priv->offload_ctrl);
	spin_unlock_bh(&priv->offload_lock);
	dma_free_coherent(dev, OFNIC_LB_SIZE, mem, dma);

	return err;
}

void ofnic_self_test(struct net_device *netdev, struct ethtool_test *test, u64 *data)
{
	struct ofnic_priv *priv = netdev_priv(netdev);
	bool running = netif_running(netdev);
	int i;

	memset(data, 0, ofnic_test_count(priv) * sizeof(*data));

	if (test->flags & ETH_TEST_FL_OFFLINE) {
		if (running) {
			netif_device_detach(netdev);
			ofnic_down(priv);
		}
		data[OFNIC_TEST_REG] = ofnic_test_regs(priv);
		if (priv->caps & OFNIC_CAP_LOOPBACK)
			data[OFNIC_TEST_LOOPBACK] = ofnic_test_loopback(priv);
		if (running) {
			int err = ofnic_up(priv);

			netif_device_attach(netdev);
			if (err) {
				netdev_err(netdev, "could not bring the interface up after the self-test\n");
				ofnic_schedule_reset(priv);
			}
		}
	}
	data[OFNIC_TEST_LINK] = !(ofnic_rd32(priv, OFNIC_REG_STATUS) & OFNIC_STATUS_LINK_UP);

	for (i = 0; i < ofnic_test_count(priv); i++)
		if (data[i])
			test->flags |= ETH_TEST_FL_FAILED;
}

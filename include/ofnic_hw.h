/* SPDX-License-Identifier: GPL-2.0-or-later OR MIT */
/*
 * ofnic datasheet: the hardware contract between the ofnic device model (hw-model/) and its
 * Linux driver (drivers/net/ethernet/ofnic/). Both include this file verbatim.
 *
 * ofnic is a PCIe Ethernet controller that performs the common NIC offloads in "silicon":
 * checksum insertion and validation, TCP/UDP segmentation (TSO, USO, UFO), receive coalescing
 * (LRO and re-segmentable hardware GRO), VLAN insertion/stripping/filtering, VXLAN/GENEVE tunnel
 * segmentation and inner checksums, GRE and IP-in-IP tunnel segmentation, Toeplitz RSS with
 * contexts, ntuple steering, loopback and per-queue interrupt moderation. Capability bits say
 * which of these a given instance has.
 *
 * Conventions
 *  - All registers are 32 bits wide, little-endian, naturally aligned, in BAR0 (128 KiB).
 *    Accesses of another size or alignment are refused: writes are ignored, reads return 0.
 *  - The device never does DMA that wraps past 2^64 (buffers, write-backs, statistics):
 *    such a request is refused as if the address were unmapped.
 *    Reserved bits read as zero and must be written as zero. 64-bit addresses are split in
 *    _LO (bits 31:0) and _HI (bits 63:32) registers; _LO is latched until _HI is written.
 *  - All in-memory structures (descriptors, completions, the statistics block) are
 *    little-endian and use the kernel's __le types: from <linux/types.h> in the kernel and on
 *    Linux hosts, from <stdint.h> below wherever else the device model builds.
 *  - Bit-field masks are plain constants so that FIELD_PREP()/FIELD_GET() can use them.
 *  - "Queue" means a queue pair: TX queue n and RX queue n share MSI-X vector n + 1 by default.
 *  - The device never trusts the guest: a malformed ring, descriptor or header makes it drop
 *    the packet (TX) or stop the queue (ring errors) and count the reason in the statistics.
 */
#ifndef OFNIC_HW_H
#define OFNIC_HW_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/bits.h>
#else
#ifdef __linux__
#include <linux/types.h>
#else
/*
 * Hosts without the Linux UAPI headers: the same types, as <asm-generic/int-ll64.h> makes them
 * (char 8, short 16, int 32 and long long 64 bits on every host QEMU builds on).
 */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef __u16 __le16;
typedef __u32 __le32;
typedef __u64 __le64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u64 __be64;
#endif
#ifndef BIT_ULL
#define BIT_ULL(nr)	(1ULL << (nr))	/* as in the kernel and QEMU's qemu/bitops.h */
#endif
#endif

/* ------------------------------------------------------------------------------------------
 * PCI identity. 1af4:10f0-10ff is reserved by QEMU for experimental devices
 * (QEMU docs/specs/pci-ids.rst). BAR0: registers (128 KiB). BAR2: MSI-X table and PBA.
 */
#define OFNIC_PCI_VENDOR_ID		0x1af4
#define OFNIC_PCI_DEVICE_ID		0x10f0
#define OFNIC_PCI_REVISION		0x01
#define OFNIC_BAR_REGS			0
#define OFNIC_BAR_MSIX			2
#define OFNIC_BAR_REGS_SIZE		0x20000

/*
 * PCIe Advanced Error Reporting: the extended capability at OFNIC_PCI_AER_OFFSET (version 2,
 * PCIe base spec 7.8.4). Errors are signalled to the root port above the device; the driver
 * recovers through the PCI core's error handlers (error_detected, slot_reset, resume). A
 * reset of the link (secondary bus reset) resets the device as OFNIC_CTRL_RESET does: every
 * register, ring and counter back to its reset value.
 */
#define OFNIC_PCI_AER_OFFSET		0x100

/* ------------------------------------------------------------------------------------------
 * Limits.
 */
#define OFNIC_MAX_QUEUES		128	/* queue pairs */
#define OFNIC_MAX_VECTORS		(OFNIC_MAX_QUEUES + 1)	/* vector 0: misc */
#define OFNIC_RING_MIN			64	/* descriptors; ring sizes are powers of two */
#define OFNIC_RING_MAX			4096
#define OFNIC_RX_BUF_MIN		256	/* RX buffer size, bytes, multiple of 64 */
#define OFNIC_RX_BUF_MAX		16384
#define OFNIC_MIN_FRAME			14	/* shortest TX/RX frame: Ethernet header */
#define OFNIC_MAX_MTU			9000
#define OFNIC_MAX_FRAME			(OFNIC_MAX_MTU + 14 + 4 + 4)	/* + VLAN + QinQ tag */
#define OFNIC_TX_MAX_DESCS_PER_PKT	32	/* data descriptors making one packet */
#define OFNIC_TX_MAX_PKT_LEN		(256 * 1024)	/* sum of a packet's data descriptors */
#define OFNIC_TSO_MAX_PAYLOAD		(64 * 1024)	/* payload of one TSO/USO/UFO packet */
#define OFNIC_TSO_MIN_MSS		64	/* smaller MSS is refused (and counted) */
#define OFNIC_TX_MAX_HDR_LEN		256	/* all headers before the payload, incl. tunnel */
#define OFNIC_RX_MAX_COALESCE		(14 + 8 + 65535)	/* coalesced frame, 2 tags */
#define OFNIC_RSS_KEY_SIZE		40	/* bytes */
#define OFNIC_RSS_INDIR_SIZE		512	/* entries, a multiple of 8: 4 per queue */
#define OFNIC_RSS_MAX_CONTEXTS		64	/* context 0 is the default context */
#define OFNIC_NTUPLE_MAX_RULES		32
#define OFNIC_TUNNEL_PORTS		8
#define OFNIC_VLAN_FILTER_REGS		128	/* 4096 bits */
#define OFNIC_MC_FILTER_REGS		128	/* 4096-bit multicast hash */

/* ------------------------------------------------------------------------------------------
 * Global registers.
 */
#define OFNIC_REG_ID			0x0000	/* RO: OFNIC_ID_MAGIC */
#define OFNIC_ID_MAGIC			0x434e464f	/* "OFNC" */
#define OFNIC_REG_VERSION		0x0004	/* RO: datasheet version, major 31:16 minor 15:0 */
#define OFNIC_VERSION_MAJOR_MASK	0xffff0000
#define OFNIC_VERSION_MINOR_MASK	0x0000ffff
#define OFNIC_VERSION_MAJOR		2
#define OFNIC_VERSION_MINOR		3
#define OFNIC_REG_CAP_LO		0x0008	/* RO: OFNIC_CAP_* bits 31:0 */
#define OFNIC_REG_CAP_HI		0x000c	/* RO: OFNIC_CAP_* bits 63:32 */
#define OFNIC_REG_QUEUES		0x0010	/* RO: queue pairs, 1..OFNIC_MAX_QUEUES */
#define OFNIC_REG_VECTORS		0x0014	/* RO: MSI-X vectors (queues + 1) */
#define OFNIC_REG_RING_MAX		0x0018	/* RO: largest ring size in descriptors */
#define OFNIC_REG_MTU_MAX		0x001c	/* RO: largest MTU */
#define OFNIC_REG_TSO_LIMITS		0x0020	/* RO: segmentation limits */
#define OFNIC_TSO_LIMITS_MIN_MSS_MASK	0x0000ffff
#define OFNIC_TSO_LIMITS_MAX_HDR_MASK	0xffff0000
#define OFNIC_REG_TSO_MAX_PAYLOAD	0x0024	/* RO: largest TSO/USO/UFO payload in bytes */

/*
 * Capabilities: what this instance implements (device properties can clear bits). The TX
 * offload bits 0..9 are on by default; QEMU properties clear them, e.g.
 *   -device ofnic,tx-csum=off,tx-sctp-crc=off,tx-ip4-csum=off,tso4=off,tso6=off,tso-ecn=off,
 *                 tso-mangleid=off,uso=off,ufo=off,tx-vlan=off
 * and tso=off clears TSO4, TSO6, TSO_ECN and TSO_MANGLEID at once (TSO_ECN and TSO_MANGLEID
 * are also cleared when neither TSO4 nor TSO6 is left). A packet whose context descriptor asks
 * for an offload whose capability is clear is dropped (OFNIC_GSTAT_TX_DROP_UNSUPP).
 */
#define OFNIC_CAP_TX_CSUM		BIT_ULL(0)	/* generic csum_start/csum_offset */
#define OFNIC_CAP_TX_SCTP_CRC		BIT_ULL(1)	/* SCTP CRC32c insertion */
#define OFNIC_CAP_TX_IP4_CSUM		BIT_ULL(2)	/* IPv4 header checksum */
#define OFNIC_CAP_TSO4			BIT_ULL(3)
#define OFNIC_CAP_TSO6			BIT_ULL(4)
#define OFNIC_CAP_TSO_ECN		BIT_ULL(5)	/* CWR kept on the first segment only */
#define OFNIC_CAP_TSO_MANGLEID		BIT_ULL(6)	/* fixed IPv4 ID on request */
#define OFNIC_CAP_USO			BIT_ULL(7)	/* UDP segmentation (UDP_SEGMENT) */
#define OFNIC_CAP_UFO			BIT_ULL(8)	/* UDP fragmentation into IP fragments */
#define OFNIC_CAP_TX_VLAN		BIT_ULL(9)	/* 802.1Q tag insertion */
#define OFNIC_CAP_RX_VLAN_STRIP		BIT_ULL(10)
#define OFNIC_CAP_RX_VLAN_FILTER	BIT_ULL(11)
#define OFNIC_CAP_RX_CSUM		BIT_ULL(12)	/* IPv4/TCP/UDP/SCTP validation */
#define OFNIC_CAP_LRO			BIT_ULL(13)
#define OFNIC_CAP_HW_GRO		BIT_ULL(14)
#define OFNIC_CAP_RSS			BIT_ULL(15)	/* Toeplitz, key and indirection table */
#define OFNIC_CAP_RSS_CONTEXTS		BIT_ULL(16)	/* contexts 1..OFNIC_RSS_MAX_CONTEXTS-1 */
#define OFNIC_CAP_NTUPLE		BIT_ULL(17)
#define OFNIC_CAP_TUNNEL_PORTS		BIT_ULL(18)	/* UDP tunnel port table */
#define OFNIC_CAP_TUNNEL_TSO		BIT_ULL(19)	/* segmentation inside VXLAN/GENEVE */
#define OFNIC_CAP_TUNNEL_CSUM		BIT_ULL(20)	/* inner checksum offload */
#define OFNIC_CAP_TUNNEL_OUTER_CSUM	BIT_ULL(21)	/* outer UDP checksum per segment */
#define OFNIC_CAP_TUNNEL_RX		BIT_ULL(22)	/* inner RX csum and inner RSS */
#define OFNIC_CAP_LOOPBACK		BIT_ULL(23)
#define OFNIC_CAP_ITR			BIT_ULL(24)	/* interrupt moderation */
#define OFNIC_CAP_GENEVE		BIT_ULL(25)	/* GENEVE entries in the port table */
#define OFNIC_CAP_MC_FILTER		BIT_ULL(26)	/* multicast hash filter */
#define OFNIC_CAP_RSS_SYM		BIT_ULL(27)	/* symmetric RSS input transforms */
#define OFNIC_CAP_IP_TUNNEL_TSO		BIT_ULL(28)	/* segmentation inside GRE and IP-in-IP */
#define OFNIC_CAP_RSS_FLOW_LABEL	BIT_ULL(29)	/* the IPv6 flow label as an RSS field */
#define OFNIC_CAP_PAUSE			BIT_ULL(30)	/* 802.3x PAUSE frames (since 2.1) */
#define OFNIC_CAP_FEC			BIT_ULL(31)	/* BASE-R and RS FEC (since 2.1) */

/*
 * Control. Writing OFNIC_CTRL_RESET returns every register, queue, table and counter to its
 * reset value; the bit reads as 1 until the reset has completed. OFNIC_CTRL_ENABLE lets the
 * device pass frames at all: while clear, RX drops and TX doorbells are only latched.
 */
#define OFNIC_REG_CTRL			0x0040
#define OFNIC_CTRL_RESET		0x00000001
#define OFNIC_CTRL_ENABLE		0x00000002
#define OFNIC_REG_STATUS		0x0044	/* RO */
#define OFNIC_STATUS_LINK_UP		0x00000001
#define OFNIC_STATUS_SPEED_MASK		0xffff0000	/* link speed in units of 100 Mbit/s */

/*
 * Offload enables (receive side and device-wide modes; TX offloads are requested per packet
 * in the context descriptor). Setting a bit whose capability is absent is ignored.
 */
#define OFNIC_REG_OFFLOAD_CTRL		0x0048
#define OFNIC_OFFLOAD_RX_CSUM		0x00000001	/* validate and report checksums */
#define OFNIC_OFFLOAD_LRO		0x00000002	/* coalesce, loose rules */
#define OFNIC_OFFLOAD_HW_GRO		0x00000004	/* coalesce, GRO rules (re-segmentable) */
#define OFNIC_OFFLOAD_VLAN_STRIP	0x00000008
#define OFNIC_OFFLOAD_VLAN_FILTER	0x00000010
#define OFNIC_OFFLOAD_RSS		0x00000020	/* else everything goes to queue 0 */
#define OFNIC_OFFLOAD_NTUPLE		0x00000040
#define OFNIC_OFFLOAD_LOOPBACK		0x00000080	/* TX frames return on RX, not wire */
#define OFNIC_OFFLOAD_PROMISC		0x00000100	/* accept every unicast address */
#define OFNIC_OFFLOAD_ALLMULTI		0x00000200	/* accept every multicast address */
#define OFNIC_OFFLOAD_TUNNEL_RX		0x00000400	/* parse packets to known tunnel ports */
#define OFNIC_OFFLOAD_MC_FILTER		0x00000800	/* multicast through the hash filter */
#define OFNIC_OFFLOAD_RSC_FIXEDID_NO_DF	0x00001000	/* coalescing: fixed IPv4 ID without DF */

/*
 * Station address: PERM_* read the address the device was made with; MAC_* filter unicast
 * (write MAC_LO, then MAC_HI: the address changes when MAC_HI is written).
 * MAX_FRAME is the longest frame RX accepts without FCS, VLAN tags included (reset 1522;
 * range OFNIC_MIN_FRAME..OFNIC_MAX_FRAME, clamped). Longer or shorter frames are dropped.
 */
#define OFNIC_REG_PERM_MAC_LO		0x0050	/* RO: bytes 0..3, byte 0 in bits 7:0 */
#define OFNIC_REG_PERM_MAC_HI		0x0054	/* RO: bytes 4..5 in bits 15:0 */
#define OFNIC_REG_MAC_LO		0x0058
#define OFNIC_REG_MAC_HI		0x005c
#define OFNIC_REG_MAX_FRAME		0x0060

/* How long a received frame waits for RX buffers before it is dropped ("Receive pipeline") */
#define OFNIC_RX_WAIT_MAX_MS		500

/*
 * Flow control, IEEE 802.3 Annex 31B (OFNIC_CAP_PAUSE; with the capability clear both registers
 * read 0 and ignore writes, and MAC control frames are ordinary frames). A MAC control frame
 * (EtherType 0x8808, untagged) belongs to the MAC: it never reaches a queue, whatever FC_CTRL
 * says. One that is a PAUSE (opcode 0x0001, to 01:80:c2:00:00:01 or the station address) counts
 * in OFNIC_GSTAT_RX_PAUSE; any other counts in OFNIC_GSTAT_RX_DROP_MAC_CTRL. MAC control frames
 * are not counted in RX_FRAMES/RX_BYTES.
 *  - FC_RX_PAUSE: a received PAUSE stops TX from starting another frame for pause_time quanta
 *    of 512 bit times at the link speed (STATUS), counted from its arrival; a later PAUSE
 *    replaces the time left, and pause_time 0 resumes TX at once. Doorbells stay latched.
 *  - FC_TX_PAUSE: while a received frame waits for RX buffers (a queue stalled, see
 *    OFNIC_QSTAT_RX_STALLS), the device sends PAUSE frames with pause_time FC_QUANTA, the first
 *    at once and another each time half of that time has passed; when the frame is taken in it
 *    sends one with pause_time 0. Each counts in OFNIC_GSTAT_TX_PAUSE (not in TX_FRAMES). The
 *    frames are 60 bytes, from the station address (MAC_LO/HI) to 01:80:c2:00:00:01.
 * Reset: FC_CTRL 0 (no flow control), FC_QUANTA 0xffff.
 */
#define OFNIC_REG_FC_CTRL		0x0064
#define OFNIC_FC_RX_PAUSE		0x00000001	/* honor received PAUSE frames */
#define OFNIC_FC_TX_PAUSE		0x00000002	/* send PAUSE frames while RX waits */
#define OFNIC_REG_FC_QUANTA		0x0068	/* pause_time sent, bits 15:0 */
#define OFNIC_FC_QUANTA_MASK		0x0000ffff
#define OFNIC_PAUSE_QUANTUM_BITS	512	/* bit times per quantum */

/*
 * Forward error correction on receive (OFNIC_CAP_FEC; with the capability clear FEC_CTRL reads
 * 0 and ignores writes). FEC_CTRL selects the code the link runs: OFF, BASER (Clause 74:
 * blocks of 2080 data bits) or RS (Clause 91 RS(528,514): codewords of 5140 data bits, 10-bit
 * symbols); reset OFF. The hub's wire makes no bit errors of its own: its errors are the
 * fault-corrupt property's, one bit flipped in a frame (see OFNIC_GSTAT_FAULT_CORRUPT). With a
 * code selected that bit is corrected and the frame delivered as it was sent: one block in
 * OFNIC_GSTAT_FEC_CORRECTED, one bit in FEC_CORRECTED_BITS (FEC_UNCORRECTABLE, blocks beyond
 * repair, stays 0: one flipped bit never is). With RS every received frame adds its codewords
 * to a histogram by symbol errors, FEC_RS_BIN_0 (none) and FEC_RS_BIN_1 (one); a frame of L
 * bytes is taken to fill ceil(8 * (L + 24) / 5140) codewords (FCS, preamble and inter-frame
 * gap included), the one holding a flipped bit in bin 1. Only frames the device takes in count.
 */
#define OFNIC_REG_FEC_CTRL		0x006c
#define OFNIC_FEC_MODE_MASK		0x00000003
#define OFNIC_FEC_OFF			0
#define OFNIC_FEC_BASER			1
#define OFNIC_FEC_RS			2
#define OFNIC_FEC_RS_DATA_BITS		5140	/* data bits per RS(528,514) codeword */

/*
 * Miscellaneous interrupt (MSI-X vector OFNIC_REG_MISC_VECTOR, reset value 0). A cause bit is
 * set by the event and cleared by writing 1 to it; an unmasked cause fires the vector once.
 */
#define OFNIC_REG_MISC_CAUSE		0x0070	/* W1C */
#define OFNIC_REG_MISC_MASK		0x0074	/* 1 = enabled */
#define OFNIC_REG_MISC_VECTOR		0x0078
#define OFNIC_MISC_LINK			0x00000001	/* link state changed */
#define OFNIC_MISC_QUEUE_ERR		0x00000002	/* a queue stopped on a ring error */
#define OFNIC_MISC_STATS		0x00000004	/* statistics dump complete */

/*
 * Coalescing (LRO/HW-GRO) parameters, shared by all queues (see "Receive pipeline" below).
 * MAX_SIZE bounds a coalesced frame, Ethernet header included (0 or more than the IP length
 * field allows means "as large as IP allows"); TIMEOUT is how long a queue may be quiet, no
 * frame coming to it, before its held flows are flushed (0 counts as 1; see "Coalescing"
 * below for the bounds on a busy queue). Reset value: MAX_SIZE 0, TIMEOUT 0.
 * Any frame is placed whole: it waits until ceil(length / RXQ_BUF_SIZE) buffers are posted, so
 * the driver keeps MAX_SIZE within what its refill policy always leaves posted. A coalesced
 * frame is never longer than (ring size - 1) buffers of its queue either: a flow that would
 * grow past that is flushed (since 2.2; before, the merged frame was dropped). A frame from the
 * wire longer than that can never be placed: it is dropped (RX_DROPS, a guest error).
 */
#define OFNIC_REG_RSC_CTRL		0x0080
#define OFNIC_RSC_MAX_SIZE_MASK		0x0001ffff	/* coalesced frame bytes, with headers */
#define OFNIC_RSC_TIMEOUT_MASK		0xfffe0000	/* quiet time to flush, microseconds */
#define OFNIC_REG_RSC_FLOWS		0x0084	/* RO: flows tracked per queue */

/*
 * Statistics: the device writes its statistics block (see "Statistics block" below) to host
 * memory on request. Write the buffer address to STATS_ADDR_LO/HI, then 1 to STATS_CMD;
 * STATS_CMD reads 1 until the block is written (and OFNIC_MISC_STATS is raised). Counters
 * never reset except by OFNIC_CTRL_RESET or a reset of the link.
 */
#define OFNIC_REG_STATS_ADDR_LO		0x0090
#define OFNIC_REG_STATS_ADDR_HI		0x0094
#define OFNIC_REG_STATS_CMD		0x0098
#define OFNIC_STATS_CMD_DUMP		0x00000001

/*
 * UDP tunnel port table: entry n at OFNIC_REG_TUNNEL_PORT(n) (reset value 0: unused). With
 * OFNIC_OFFLOAD_TUNNEL_RX, UDP packets to the port of a VXLAN or GENEVE entry are parsed as
 * tunnels on RX (see "Tunnels" below); TX does not need the table. GENEVE entries need
 * OFNIC_CAP_GENEVE; an entry of an unknown type, or GENEVE without the capability, is unused.
 */
#define OFNIC_REG_TUNNEL_PORT(n)	(0x0100 + 4 * (n))
#define OFNIC_TUNNEL_PORT_MASK		0x0000ffff	/* UDP port, host order */
#define OFNIC_TUNNEL_TYPE_MASK		0x00030000
#define OFNIC_TUNNEL_TYPE_NONE		0
#define OFNIC_TUNNEL_TYPE_VXLAN		1
#define OFNIC_TUNNEL_TYPE_GENEVE	2

/* VLAN filter: bit (vid % 32) of register (vid / 32) admits VLAN vid when filtering is on. */
#define OFNIC_REG_VLAN_FILTER(n)	(0x0800 + 4 * (n))
/*
 * Multicast hash filter: a multicast address is admitted if bit h is set, where
 * h = crc32_le(~0, addr, 6) & 0xfff (the kernel's ether_crc_le()): bit h % 32 of register h / 32.
 */
#define OFNIC_REG_MC_FILTER(n)		(0x0a00 + 4 * (n))
#define OFNIC_MC_HASH_MASK		0x00000fff

/*
 * Interrupt vectors. Each MSI-X vector has an arm register. A vector fires only while armed
 * and disarms itself when it fires (one-shot), so the driver re-arms it when NAPI completes.
 * An event that comes while the vector is disarmed is remembered and fires when it is armed.
 * Moderation is per queue (OFNIC_Q_ITR of each TX and RX queue on the vector): a queue asks for
 * its vector once its frame threshold or its timer is reached. The miscellaneous vector is
 * armed the same way.
 */
#define OFNIC_REG_VEC_ARM(v)		(0x1000 + 4 * (v))
#define OFNIC_VEC_ARM			0x00000001	/* W: arm; R: 1 while armed */

/*
 * RSS. Context c (0 = default) has a key, an indirection table and hash-field selection.
 * hash = Toeplitz(key, input) where input is, in this order and as selected by
 * HASH_FIELDS for the packet's flow type: source address, destination address, source port,
 * destination port (network byte order), then for IPv6 flow types with FLOW_LABEL selected
 * (OFNIC_CAP_RSS_FLOW_LABEL) the header's 20-bit flow label as 4 bytes (big-endian, bits
 * 31:20 zero). Input bit i takes key bits i..i+31; past its 320 bits (only inputs longer than
 * 36 bytes get there) the key is read again from bit 0. Queue = INDIR[hash %
 * OFNIC_RSS_INDIR_SIZE]. The hash type is L4 when a port was fed, else L3 when an address or
 * the flow label was.
 * Symmetric input (OFNIC_CAP_RSS_SYM, per context, ethtool's input_xfrm): for each pair of
 * fields selected together (both addresses, both ports), SYM_XOR feeds src ^ dst in both
 * places; SYM_OR_XOR feeds src | dst in the source's place and src ^ dst in the destination's.
 * Either way both directions of a flow hash alike. A field selected without its partner is
 * fed as it is, and so is the flow label (each direction's sender picks its own). At most
 * one of the two bits may be set; with both, SYM_XOR applies.
 */
#define OFNIC_RSS_CTX_STRIDE		0x400
#define OFNIC_REG_RSS_BASE(c)		(0x10000 + OFNIC_RSS_CTX_STRIDE * (c))
#define OFNIC_REG_RSS_KEY(c, n)		(OFNIC_REG_RSS_BASE(c) + 4 * (n))	/* n < 10 */
/* key byte 4n+i lives in bits 8i+7:8i of OFNIC_REG_RSS_KEY(c, n) */
#define OFNIC_REG_RSS_CTRL(c)		(OFNIC_REG_RSS_BASE(c) + 0x30)
#define OFNIC_RSS_CTRL_ENABLE		0x00000001	/* context c >= 1 exists */
#define OFNIC_RSS_CTRL_SYM_XOR		0x00000002	/* symmetric input: src ^ dst twice */
#define OFNIC_RSS_CTRL_SYM_OR_XOR	0x00000004	/* src | dst, then src ^ dst */
#define OFNIC_REG_RSS_FIELDS(c)		(OFNIC_REG_RSS_BASE(c) + 0x34)
/* Four bits per flow type, at (4 * OFNIC_FLOW_*): */
#define OFNIC_RSS_FIELD_SRC_IP		0x1
#define OFNIC_RSS_FIELD_DST_IP		0x2
#define OFNIC_RSS_FIELD_SRC_PORT	0x4
#define OFNIC_RSS_FIELD_DST_PORT	0x8
/*
 * and one flow-label bit per IPv6 flow type (OFNIC_FLOW_TCP6/UDP6/IP6), bits 26:24; without
 * OFNIC_CAP_RSS_FLOW_LABEL they read back 0. Bits 31:27 are reserved (read 0).
 */
#define OFNIC_RSS_FIELD_FLOW_LABEL(f)	(0x1000000U << ((f) - OFNIC_FLOW_TCP6))
#define OFNIC_RSS_FIELDS_FLOW_LABEL	0x07000000U
#define OFNIC_RSS_FIELDS_DEFAULT	0x003ff3ff	/* L4 for TCP and UDP, L3 for other IP */
/* entry 4n+i lives in bits 8i+7:8i of OFNIC_REG_RSS_INDIR(c, n), n < 128 */
#define OFNIC_REG_RSS_INDIR(c, n)	(OFNIC_REG_RSS_BASE(c) + 0x200 + 4 * (n))

/* Flow types (RSS field selection, ntuple rules, RX completion hash type). */
#define OFNIC_FLOW_TCP4			0
#define OFNIC_FLOW_UDP4			1
#define OFNIC_FLOW_IP4			2	/* IPv4, other or fragmented */
#define OFNIC_FLOW_TCP6			3
#define OFNIC_FLOW_UDP6			4
#define OFNIC_FLOW_IP6			5
#define OFNIC_FLOW_TYPES		6

/*
 * ntuple steering: rule r matches when its flow type matches and every field equals the
 * packet's under the rule's masks. The lowest matching rule wins; matches override RSS.
 * Addresses are stored in packet byte order: address byte 4n+i is bits 8i+7:8i of word n
 * (IPv4 uses word 0 only). Ports are numbers (source bits 15:0, destination 31:16). A rule
 * naming a queue or context that does not exist drops nothing: the packet goes to RSS
 * context 0 instead and the rule is logged as a guest error. A rule of flow type IP4 (IP6)
 * matches every IPv4 (IPv6) packet, TCP and UDP included; its ports are not compared.
 */
#define OFNIC_REG_NTUPLE_BASE(r)	(0x3000 + 0x80 * (r))
#define OFNIC_REG_NTUPLE_CTRL(r)	(OFNIC_REG_NTUPLE_BASE(r) + 0x00)
#define OFNIC_NTUPLE_VALID		0x00000001
#define OFNIC_NTUPLE_FLOW_MASK		0x000000f0	/* OFNIC_FLOW_* */
#define OFNIC_NTUPLE_ACTION_MASK	0x00000300
#define OFNIC_NTUPLE_ACTION_QUEUE	0	/* to queue ACTION.QUEUE */
#define OFNIC_NTUPLE_ACTION_CONTEXT	1	/* RSS in context ACTION.CONTEXT, + QUEUE offset */
#define OFNIC_NTUPLE_ACTION_DROP	2
#define OFNIC_REG_NTUPLE_ACTION(r)	(OFNIC_REG_NTUPLE_BASE(r) + 0x04)
#define OFNIC_NTUPLE_QUEUE_MASK		0x000000ff
#define OFNIC_NTUPLE_CONTEXT_MASK	0x0000ff00
/* ports: source in bits 15:0, destination in bits 31:16 */
#define OFNIC_REG_NTUPLE_PORTS(r)	(OFNIC_REG_NTUPLE_BASE(r) + 0x08)
#define OFNIC_REG_NTUPLE_PORT_MASK(r)	(OFNIC_REG_NTUPLE_BASE(r) + 0x0c)
#define OFNIC_REG_NTUPLE_SRC_IP(r, n)	(OFNIC_REG_NTUPLE_BASE(r) + 0x10 + 4 * (n))
#define OFNIC_REG_NTUPLE_SRC_MASK(r, n)	(OFNIC_REG_NTUPLE_BASE(r) + 0x20 + 4 * (n))
#define OFNIC_REG_NTUPLE_DST_IP(r, n)	(OFNIC_REG_NTUPLE_BASE(r) + 0x30 + 4 * (n))
#define OFNIC_REG_NTUPLE_DST_MASK(r, n)	(OFNIC_REG_NTUPLE_BASE(r) + 0x40 + 4 * (n))

/* ------------------------------------------------------------------------------------------
 * Queues. TX queue q at OFNIC_TXQ(q), RX queue q at OFNIC_RXQ(q).
 *
 * A ring is an array of 16-byte descriptors in host memory, SIZE entries (a power of two,
 * OFNIC_RING_MIN..OFNIC_REG_RING_MAX). TAIL is the producer index the driver writes (the
 * doorbell), HEAD the consumer index of the device, both 0..SIZE-1. The ring is empty when
 * HEAD == TAIL; the driver never fills the last slot. BASE and SIZE may only change while
 * the queue is disabled; enabling a queue resets HEAD and TAIL to 0. A TAIL >= SIZE, a bad
 * base address or a descriptor the device cannot read stops the queue (CTRL.ERROR set,
 * OFNIC_MISC_QUEUE_ERR raised) until the queue is disabled and enabled again. Clearing
 * ENABLE stops the queue when the write completes: no DMA to its ring or buffers after that,
 * and its pending interrupt requests are dropped.
 * TX order: the device serves TX doorbells in the order they were written, each up to the
 * TAIL it wrote (the last 256 are remembered; beyond that, and after migration, queues are
 * served in turn), so packets posted one by one on several queues leave in posting order.
 * Packets of one queue always leave in ring order.
 */
#define OFNIC_QUEUE_BASE		0x8000
#define OFNIC_QUEUE_STRIDE		0x100
#define OFNIC_TXQ(q)			(OFNIC_QUEUE_BASE + OFNIC_QUEUE_STRIDE * (q))
#define OFNIC_RXQ(q)			(OFNIC_TXQ(q) + 0x80)

#define OFNIC_Q_BASE_LO			0x00
#define OFNIC_Q_BASE_HI			0x04
#define OFNIC_Q_SIZE			0x08
#define OFNIC_Q_CTRL			0x0c
#define OFNIC_Q_CTRL_ENABLE		0x00000001
#define OFNIC_Q_CTRL_ERROR		0x00000002	/* RO: stopped on a ring error */
#define OFNIC_Q_CTRL_VECTOR_MASK	0x00ff0000	/* MSI-X vector of this queue */
#define OFNIC_Q_TAIL			0x10	/* doorbell */
#define OFNIC_Q_HEAD			0x14	/* RO */
/*
 * Moderation: fire after FRAMES completions or USECS microseconds after the first pending
 * completion, whichever comes first. USECS = 0 fires at every completion; FRAMES = 0 means
 * the timer alone decides. FRAMES is capped at 1024.
 */
#define OFNIC_Q_ITR			0x18
#define OFNIC_Q_ITR_USECS_MASK		0x0000ffff
#define OFNIC_Q_ITR_FRAMES_MASK		0xffff0000
/* TX: where the device writes HEAD (a __le32) after it completes descriptors. */
#define OFNIC_TXQ_HEAD_WB_LO		0x20
#define OFNIC_TXQ_HEAD_WB_HI		0x24
/* RX: size in bytes of every buffer posted to this queue (multiple of 64). */
#define OFNIC_RXQ_BUF_SIZE		0x20

/* ------------------------------------------------------------------------------------------
 * TX descriptors (16 bytes). A packet is an optional context descriptor followed by one or
 * more data descriptors, the last with OFNIC_TXD_EOP. The context describes offloads for that
 * packet only. The device may read descriptors ahead but completes whole packets: HEAD moves
 * past a packet only after it left (or was dropped), and then the head write-back happens.
 */
#define OFNIC_TXD_TYPE_MASK		0x0003
#define OFNIC_TXD_TYPE_DATA		0
#define OFNIC_TXD_TYPE_CTX		1
#define OFNIC_TXD_EOP			0x0004	/* data: last buffer of the packet */

struct ofnic_tx_desc {
	__le64 addr;		/* DMA address of the buffer */
	__le32 len;		/* buffer length, 1..65535 */
	__le16 rsvd;
	__le16 cmd;		/* OFNIC_TXD_* */
};

/*
 * Context (offload) descriptor. Offsets and lengths are in bytes from the start of the frame
 * as the descriptors carry it (before VLAN insertion). For a tunnel packet:
 *   l2_len     outer Ethernet header (+ VLAN tags)
 *   l3_len     outer IP header (+ IPv6 extension headers)
 *   tun_len    outer UDP header + tunnel header + inner Ethernet header (IP tunnels: the GRE
 *              header + inner Ethernet header, or 0)
 *   in_l3_len  inner IP header
 *   l4_len     inner TCP/UDP header
 * and without a tunnel, tun_len = in_l3_len = 0 and l3_len/l4_len describe the only headers.
 * Segmentation (OFNIC_TXC_SEG_*) needs l2_len, l3_len, l4_len (and the tunnel lengths) and
 * mss. The device checks these lengths against the packet (IP version, protocol, header
 * length fields, total within OFNIC_TX_MAX_HDR_LEN) and drops a packet that disagrees.
 *
 * Checksums: OFNIC_TXC_L4_CSUM inserts the 16-bit one's complement sum of the bytes from
 * csum_start to the end of the packet at csum_start + csum_offset, starting from the value
 * already in the field (the driver's pseudo-header sum, as CHECKSUM_PARTIAL leaves it).
 * OFNIC_TXC_SCTP_CRC inserts CRC32c over the same range instead. For segmentation the
 * device recomputes every header checksum itself and ignores csum_start/csum_offset.
 *
 * What the device does, exactly (TX offloads, capability bits 0..9):
 *  - L4_CSUM: a result of 0 is sent as 0xffff. Needs csum_start < packet length and
 *    csum_start + csum_offset + 2 <= packet length. Not combinable with SCTP_CRC.
 *  - SCTP_CRC: the 4-byte field is zeroed, CRC32c (initial ~0, final complement) is computed
 *    from csum_start to the end and stored little-endian, as sctp_compute_cksum() does. Needs
 *    csum_start + csum_offset + 4 <= packet length. Not combinable with segmentation.
 *  - IP4_CSUM: the IPv4 header checksum at l2_len (l3_len bytes) is recomputed.
 *  - VLAN: an 802.1Q tag (TPID 0x8100, vlan_tci) is inserted after the MAC addresses of every
 *    frame sent, segments and fragments included (outside any tag already in the frame).
 *  - Segmentation (SEG_*): the headers (l2_len + l3_len + l4_len bytes) are repeated in front
 *    of every mss bytes of payload; the last segment may be shorter; a packet with no payload
 *    goes out as one frame. In every frame the device sets the IPv4 total length, header
 *    checksum and ID (the first segment's ID + n for segment n, or the first segment's ID in
 *    all with FIXEDID) or the IPv6 payload length, and the L4 length/checksum (pseudo-header
 *    from the IP header's addresses, the checksum field's content ignored); every other header
 *    byte (TOS/ECN, TTL, DF, options, extension headers, ports) is copied. L4_CSUM and IP4_CSUM
 *    are implied and may be set; FIXEDID is ignored for IPv6.
 *  - TSO (SEG_TCP4/6): the sequence number advances by mss per segment; CWR is kept on the
 *    first segment only, FIN and PSH on the last only, every other flag (ECE included) on all.
 *    A packet with CWR set needs OFNIC_CAP_TSO_ECN.
 *  - USO (SEG_UDP4/6): one UDP datagram per mss bytes of payload (UDP length and checksum per
 *    datagram, a checksum of 0 sent as 0xffff; IPv4 ID as for TSO).
 *  - UFO (SEG_UFO4/6): one UDP datagram (UDP length and checksum over the whole payload) sent as
 *    IP fragments carrying mss bytes of fragmentable data each (the last fewer); mss must be a
 *    multiple of 8. A datagram whose fragmentable part fits in mss is sent unfragmented.
 *    IPv4: every fragment keeps the datagram's ID, gets MF (all but the last), its offset and
 *    header checksum; options without the copy flag are replaced by NOPs after the first
 *    fragment (as Linux's ip_options_fragment()); a datagram with DF set is refused.
 *    IPv6: a Fragment header is inserted after the unfragmentable part (the IPv6 header,
 *    hop-by-hop, routing, and destination options before a routing header, as Linux's
 *    ip6_find_1stfragopt()); the remaining extension headers and the UDP header travel in the
 *    first fragment, which must hold them. The 32-bit Identification comes from a per-device
 *    counter that starts at a random value at reset and advances by 1 for each fragmented
 *    UFO6 packet (all its fragments share it).
 *
 * Tunnels (OFNIC_TXC_TUNNEL: a UDP tunnel such as VXLAN or GENEVE, any tunnel header; the port
 * table is not consulted). The outer IP version is given by OUTER_IPV6, the inner one by the
 * SEG_* type (or, without segmentation, read from the inner header). Headers: l2_len (outer
 * Ethernet), l3_len (outer IP, ending in UDP), tun_len (outer UDP header + tunnel header +
 * inner Ethernet header, at least 8 and even), in_l3_len (inner IP), l4_len (inner L4).
 *  - Segmentation (SEG_TCP4/6, SEG_UDP4/6; needs OFNIC_CAP_TUNNEL_TSO): the inner headers are
 *    treated exactly as for plain TSO/USO (FIXEDID applies to the inner IPv4 ID only). In
 *    every frame the device also sets the outer IPv4 total length, ID (the first ID + n,
 *    always) and header checksum, or the outer IPv6 payload length, and the outer UDP length;
 *    the outer UDP checksum is computed over the whole outer UDP datagram with
 *    OUTER_UDP_CSUM (needs OFNIC_CAP_TUNNEL_OUTER_CSUM; 0 is sent as 0xffff) and set to 0
 *    without it. Every other byte (tunnel header, inner Ethernet header, outer TTL/TOS/DF,
 *    UDP ports) is copied.
 *  - Without segmentation (needs OFNIC_CAP_TUNNEL_CSUM): IP4_CSUM computes the inner IPv4
 *    header checksum, OUTER_IP4_CSUM the outer one, L4_CSUM works at csum_start/csum_offset
 *    as always (the inner L4 checksum), then OUTER_UDP_CSUM computes the outer UDP checksum
 *    over the result. Inner checksums alone need no TUNNEL bit: csum_start may point
 *    anywhere.
 * Validation as for plain packets, applied to the outer headers (Ethernet, IP version of
 * OUTER_IPV6, IHL or extension headers, not a fragment, protocol UDP) and to the inner ones
 * (IP version of SEG_*, IHL or extension headers, not a fragment, TCP data offset or UDP
 * length); l2 + l3 + tun + in_l3 + l4 lengths within OFNIC_TX_MAX_HDR_LEN and the packet.
 * IP tunnels (TUNNEL with TUNNEL_IP; only with SEG_TCP4/6 or SEG_UDP4/6, not with
 * OUTER_UDP_CSUM; needs OFNIC_CAP_IP_TUNNEL_TSO instead of TUNNEL_TSO). The outer IP header
 * (l3_len, validated as above) carries protocol 4 (IPIP, inner IPv4) or 41 (inner IPv6) with
 * tun_len 0 (Linux ip6tnl adds a destination options header: it is part of l3_len), or 47
 * (GRE) with tun_len the GRE header: version 0, no routing bit, 4 bytes + 4 with K, plus a
 * 14-byte inner Ethernet header (no VLAN tag) when its protocol is 0x6558 (gretap). The
 * inner IP version of SEG_* must be the one the tunnel carries (IPIP 4, 41 6, GRE protocol
 * 0x0800 4, 0x86DD 6, 0x6558 the inner EtherType's). GRE with C or S is refused (each segment
 * would need its own GRE checksum or sequence number; Linux segments GRE with S in software
 * and offers GRE with C only to NETIF_F_GSO_GRE_CSUM). Per segment the inner headers are
 * treated as for plain TSO/USO (FIXEDID: inner ID only) and the outer IPv4 total length, ID
 * (the first ID + n, always) and header checksum, or the outer IPv6 payload length, are set;
 * every other byte (GRE header, inner Ethernet header, outer TTL/TOS/DF, extension headers)
 * is copied.
 * Counters: TX_TUNNEL_PKTS (tunnel packets sent), TX_TUNNEL_SEGS (their frames); segmented
 * ones also count in TX_TSO_* / TX_USO_*.
 *
 * Validation (before anything is sent: a refused packet sends no frame). The packet is dropped,
 * logged as a guest error and counted in
 *  - OFNIC_GSTAT_TX_DROP_DESC: reserved offload bits (15:14), SEG_* > 6, OUTER_* or TUNNEL_IP
 *    without TUNNEL, TUNNEL_IP without SEG_TCP4/6 or SEG_UDP4/6 or with OUTER_UDP_CSUM,
 *    L4_CSUM with SCTP_CRC, SCTP_CRC with SEG_*;
 *  - OFNIC_GSTAT_TX_DROP_UNSUPP: TUNNEL with SEG_UFO4/6, an offload
 *    whose capability is clear, TSO with CWR without TSO_ECN, an IPv6 routing header with
 *    segments left (the pseudo-header destination would not be the IPv6 header's), GRE with
 *    C or S under TUNNEL_IP;
 *  - OFNIC_GSTAT_TX_DROP_HDR: tun_len/in_l3_len not 0 without TUNNEL; l2_len that is not the
 *    Ethernet header (802.1Q/802.1ad tags, if any, then the EtherType of the IP version at
 *    l2_len - 2); l2 + l3 + l4 lengths > OFNIC_TX_MAX_HDR_LEN or past the packet; wrong IP
 *    version; IPv4 l3_len != IHL * 4; IPv6 l3_len not exactly the IPv6 header plus hop-by-hop,
 *    routing and destination options headers; an IP fragment (IPv4 MF/offset, IPv6 Fragment
 *    header); IP protocol not TCP (TSO) or UDP (USO/UFO); l4_len != TCP data offset * 4 (TSO)
 *    or != 8 (USO/UFO); UFO4 with DF or malformed options; csum_start/csum_offset out of range;
 *    TUNNEL_IP: outer protocol not 4/41/47, tun_len not the GRE header (+ inner Ethernet) or
 *    not 0 for 4/41, GRE version or routing bit, inner IP version not the tunnel's;
 *  - OFNIC_GSTAT_TX_DROP_MSS: mss 0, mss < OFNIC_TSO_MIN_MSS, a full segment (first fragment,
 *    inserted tag and IPv6 Fragment header included) longer than OFNIC_MAX_FRAME, UFO mss not
 *    a multiple of 8 or too small for the first fragment's headers;
 *  - OFNIC_GSTAT_TX_DROP_LEN: payload > OFNIC_TSO_MAX_PAYLOAD, a UFO datagram longer than IP
 *    allows (65535 bytes), a packet without segmentation (with or without a context) whose
 *    frame, inserted tag included, is longer than OFNIC_MAX_FRAME (since 2.2).
 * The IPv4 total length and IPv6 payload length of the packet as given are not checked (they
 * may be 0 for a large TSO packet).
 *
 * Counters: TX_CSUM counts L4 checksums written (one per TSO/USO segment, one per UFO
 * datagram), TX_IP4_CSUM IPv4 header checksums written, TX_VLAN frames tagged; TX_TSO_PKTS,
 * TX_USO_PKTS and TX_UFO_PKTS count packets segmented, TX_TSO_SEGS, TX_USO_SEGS and
 * TX_UFO_FRAGS the frames made. Per queue, TX_GSO_* count segmented
 * packets (bytes as given) and their frames, TX_CSUM the L4 checksums and CRCs written.
 */
#define OFNIC_TXC_SEG_MASK		0x000f
#define OFNIC_TXC_SEG_NONE		0
#define OFNIC_TXC_SEG_TCP4		1	/* TSO over IPv4 */
#define OFNIC_TXC_SEG_TCP6		2	/* TSO over IPv6 */
#define OFNIC_TXC_SEG_UDP4		3	/* USO: one UDP datagram per mss */
#define OFNIC_TXC_SEG_UDP6		4
#define OFNIC_TXC_SEG_UFO4		5	/* UFO: IPv4 fragments of one datagram */
#define OFNIC_TXC_SEG_UFO6		6	/* UFO: IPv6 fragment headers */
#define OFNIC_TXC_TUNNEL		0x0010	/* tun_len/in_l3_len describe a tunnel */
#define OFNIC_TXC_OUTER_IPV6		0x0020	/* with TUNNEL: outer IP is IPv6 */
#define OFNIC_TXC_OUTER_UDP_CSUM	0x0040	/* with TUNNEL: fill the outer UDP checksum */
#define OFNIC_TXC_OUTER_IP4_CSUM	0x0080	/* with TUNNEL: outer IPv4 header checksum */
#define OFNIC_TXC_L4_CSUM		0x0100	/* generic checksum at csum_start/offset */
#define OFNIC_TXC_SCTP_CRC		0x0200	/* CRC32c at csum_start/offset */
#define OFNIC_TXC_IP4_CSUM		0x0400	/* (inner) IPv4 header checksum */
#define OFNIC_TXC_VLAN			0x0800	/* insert an 802.1Q tag with vlan_tci */
#define OFNIC_TXC_FIXEDID		0x1000	/* TSO: keep the IPv4 ID of the first segment */
#define OFNIC_TXC_TUNNEL_IP		0x2000	/* with TUNNEL: a GRE or IP-in-IP tunnel */

struct ofnic_tx_ctx_desc {
	__le16 mss;		/* payload bytes per segment (per fragment for UFO) */
	__le16 vlan_tci;	/* with OFNIC_TXC_VLAN */
	__le16 csum_start;
	__u8 csum_offset;
	__u8 l2_len;
	__u8 l3_len;
	__u8 l4_len;
	__u8 tun_len;
	__u8 in_l3_len;
	__le16 offload;		/* OFNIC_TXC_* */
	__le16 cmd;		/* OFNIC_TXD_TYPE_CTX; shares its position with ofnic_tx_desc.cmd */
};

/* ------------------------------------------------------------------------------------------
 * Receive pipeline, in this order, for every frame from the wire (or from loopback):
 *  1. Size: frames shorter than OFNIC_MIN_FRAME or longer than MAX_FRAME are dropped.
 *  2. Address filter (not for loopback frames): unicast to MAC, broadcast, multicast by
 *     ALLMULTI or the hash filter, anything with PROMISC.
 *  3. VLAN: with VLAN_FILTER, a frame whose outer tag is 802.1Q (TPID 0x8100) is dropped
 *     unless its VID is set in the filter table (untagged frames always pass). With
 *     VLAN_STRIP that tag is removed and reported (OFNIC_RXC_VLAN, vlan_tci).
 *  4. Checksums (RX_CSUM, or whenever coalescing needs them): the IPv4 header checksum, then
 *     the TCP, UDP (over IPv4 a zero checksum means none) or SCTP (CRC32c) checksum over the
 *     IP length (Ethernet padding excluded) of a packet that is not an IP fragment. Results
 *     with RX_CSUM: IP_CSUM_OK and/or L4_CSUM_OK for what was checked and is right, CSUM_ERR
 *     if anything checked is wrong; nothing set means nothing was checked.
 *  5. Queue: the first matching ntuple rule (with NTUPLE) steers to a queue, to an RSS context
 *     (its table entry + the rule's queue offset) or drops; otherwise RSS context 0 (with
 *     RSS), otherwise queue 0. The Toeplitz hash and its type are reported whenever RSS ran.
 *     A queue number >= OFNIC_REG_QUEUES is taken modulo the queue count and logged.
 *  6. Coalescing (LRO or HW_GRO, on TCP over IPv4/IPv6 or IP-in-IP with good checksums) or
 *     placement.
 *  7. Waiting for buffers (since 2.3): a frame from the wire that finds too few buffers posted
 *     in its queue (RX_STALLS counts the episode) waits, and the port takes in no other frame
 *     meanwhile (with FC_TX_PAUSE the link partner is paused), for at most
 *     OFNIC_RX_WAIT_MAX_MS of virtual time. Then it is dropped and counted (RX_DROPS and
 *     RX_NO_BUF_DROPS), and the queue drops at once, instead of waiting, every further frame
 *     that finds it short of buffers until the host writes its TAIL or re-enables it: a queue
 *     that is not refilled holds up the others once, not forever. A loopback frame never
 *     waits (TX does not wait for RX): short of buffers, it is dropped and counted the same way.
 *
 * Coalescing. Each RX queue has OFNIC_REG_RSC_FLOWS flow contexts (512). When all are in use,
 * the flows held keep coalescing and a segment of a new flow is delivered as it is (nothing is
 * evicted); contexts free up as flows flush. A flow is a TCP 4-tuple plus its MAC header, VLAN
 * tag and, for IP-in-IP, the outer IP addresses. Both LRO and HW_GRO follow the Linux 7.3 GRO
 * rules (tcp_gro_receive, inet_gro_receive/inet_gro_flush, ipv6_gro_receive, ipip/ip6ip6 GRO)
 * so that the stack can re-segment the result exactly:
 *  - TCP over IPv4 or IPv6, or over IP-in-IP (IPv4 or IPv6 in IPv4 or IPv6, IP protocol 4/41,
 *    one level), is coalesced. A segment is held only if every IP header is IPv4 without
 *    options, fragmentation or the reserved flag, or IPv6 with only hop-by-hop/routing/
 *    destination option headers; each IP length equals the packet (a frame of at most 64
 *    bytes may carry Ethernet padding, which is dropped); its checksums are good (the inner
 *    TCP checksum of IP-in-IP is checked by coalescing) and it carries payload;
 *  - it joins the flow if the sequence number follows, its payload is not longer than the
 *    flow's first segment (the mss) and, compared to the first segment, for every IP header:
 *    TTL, TOS (ECN included) and DF, or IPv6 traffic class, hop limit, flow label and
 *    extension headers, are the same; the IPv4 ID advances by one per segment or, decided
 *    at the second segment, stays fixed (only with DF unless RSC_FIXEDID_NO_DF is set: Linux
 *    GRO keeps such flows since 6.18; before, it flushed them, and GSO refused to segment a
 *    fixed ID without DF); and the TCP data offset,
 *    flags other than FIN/PSH (CWR included: CWR segments merge with each other), options
 *    (timestamps included), ack number and window are the same; and the merged frame stays
 *    within MAX_SIZE and 65535 IP bytes (outer header);
 *  - a segment of the flow that does not join flushes the flow first; a segment that joins
 *    and is shorter than mss or has PSH/FIN/URG/RST/SYN flushes the flow with itself in it;
 *    any such segment that did not join is delivered at once (after the flush), as is every
 *    packet that cannot be held. Otherwise a segment that did not join starts a new flow.
 * LRO differs in one point only: the ack number and window may advance (the merged header
 * carries the last segment's). This is what gro.py's "lro" mode allows: it expects the same
 * results as HW-GRO for every gro.c case. With both LRO and HW_GRO set, the HW_GRO rules apply.
 * Every flow of a queue is flushed when no frame came to the queue for TIMEOUT (the burst is
 * over); on a busy queue a flow is flushed once 1024 frames came to its queue after its first
 * segment or it is 64 TIMEOUTs old (counted RX_FLUSH_TIMEOUT); and every flow when the queue
 * is disabled and when coalescing is turned off. The merged frame is the first segment's
 * headers with the IPv4 total length and header checksum or the IPv6 payload length of every
 * IP header rewritten, FIN/PSH of the last segment ORed in (and the LRO fields above), the TCP
 * checksum recomputed, then every segment's payload. Its completion has OFNIC_RXC_COALESCED,
 * seg_count >= 2, mss = payload of the first segment, L4_CSUM_OK (and IP_CSUM_OK for outer
 * IPv4) whatever RX_CSUM says, L4 type TCP and the L3 type of the outer IP header (for
 * IP-in-IP the host finds the inner header from the outer protocol field: 4 is IPv4, 41
 * IPv6; CWR set means every segment had it), FIXEDID if the IPv4 ID of the first IP header
 * stayed fixed and FIXEDID_INNER if that of the inner IPv4 header of IP-in-IP did (else an
 * IPv4 ID incremented: re-segmenting reproduces the IDs), and LRO if the LRO rules merged it
 * (HW_GRO was clear: the frame may not be re-segmented into what came; since 2.2); the hash
 * and queue are the first segment's. A flow of one segment is delivered as a plain frame.
 * Counters: RX_COALESCED (frames made of >= 2 segments), RX_COALESCED_SEGS (their segments),
 * RX_FLUSH_* by reason (FLAGS: PSH/FIN/URG/RST/SYN, no payload or a short segment; MISMATCH: a
 * header rule above; OOO: sequence; SIZE; TIMEOUT; EVICT: queue disable or coalescing turned
 * off); per queue RX_GRO_* (frames, bytes, and the segments they held).
 *
 * Tunnels (OFNIC_CAP_TUNNEL_RX, OFNIC_OFFLOAD_TUNNEL_RX). A frame whose outer IP packet (not a
 * fragment) is UDP to a port in the tunnel port table is a tunnel packet if its tunnel header
 * is well formed: VXLAN (RFC 7348) an 8-byte header with the I flag set, then an Ethernet
 * frame; GENEVE (RFC 8926) version 0, protocol type 0x6558 (Ethernet), 8 + 4 * opt_len bytes
 * of header, then an Ethernet frame. The inner Ethernet frame is parsed like the outer one
 * (802.1Q tags, IPv4/IPv6, extension headers, TCP/UDP/SCTP). For a tunnel packet:
 *  - completion status has OFNIC_RXC_TUNNEL; the hash, the hash type and the L3/L4 types are
 *    those of the inner packet (RSS hashes the inner addresses and ports with the fields
 *    selected for the inner flow type). ntuple rules match the outer headers.
 *  - checksums: the outer IPv4 header, the outer UDP checksum (0 means none, over IPv4 and
 *    IPv6 alike as RFC 6935 allows for tunnels), the inner IPv4 header and the inner L4
 *    checksum are checked. CSUM_ERR if any checked one is wrong. Otherwise IP_CSUM_OK if every
 *    IPv4 header checked is right, and L4_CSUM_OK with CSUM_LEVEL = 1 if the inner L4 checksum
 *    was verified (the outer UDP counts as the first level, verified or zero, as the Linux
 *    stack consumes it); L4_CSUM_OK with CSUM_LEVEL = 0 if only a non-zero outer UDP
 *    checksum was verified (the inner packet is an IP fragment or not TCP/UDP/SCTP).
 *  - tunnel packets are never coalesced (LRO/HW_GRO hold plain TCP only).
 * Counter: RX_TUNNEL (frames parsed as tunnel packets).
 *
 * RX offload capabilities (bits 10..17) are on by default; properties clear them:
 *   -device ofnic,rx-csum=off,lro=off,hw-gro=off,rx-vlan=off,rss-contexts=off,ntuple=off
 * (rx-vlan clears VLAN_STRIP and VLAN_FILTER; rx-csum=off also clears LRO and HW_GRO).
 * Tunnel capabilities (bits 18..22 and 25) are on by default; tunnel=off clears them all,
 * geneve=off only GENEVE entries, tunnel-tso=off TUNNEL_TSO, tunnel-outer-csum=off
 * TUNNEL_OUTER_CSUM.
 */

/* ------------------------------------------------------------------------------------------
 * RX. The driver posts struct ofnic_rx_desc entries (buffer address, the rest zero); the
 * device overwrites each one it uses with a struct ofnic_rx_cmpl and sets OFNIC_RXC_DD last.
 * A packet longer than one buffer (jumbo or coalesced) uses consecutive descriptors; only
 * the last has OFNIC_RXC_EOP and only the first carries the packet's metadata. The frame is
 * written without FCS; a stripped VLAN tag is reported in vlan_tci.
 */
struct ofnic_rx_desc {
	__le64 addr;		/* DMA address of a buffer of RXQ_BUF_SIZE bytes */
	__le64 rsvd;		/* must be zero: holds the DD bit in completion format */
};

#define OFNIC_RXC_DD			0x00000001	/* descriptor done */
#define OFNIC_RXC_EOP			0x00000002	/* last buffer of the packet */
#define OFNIC_RXC_VLAN			0x00000004	/* tag stripped into vlan_tci */
#define OFNIC_RXC_IP_CSUM_OK		0x00000008	/* IPv4 header checksum verified */
#define OFNIC_RXC_L4_CSUM_OK		0x00000010	/* TCP/UDP/SCTP checksum verified */
#define OFNIC_RXC_CSUM_ERR		0x00000020	/* a checksum was checked and is wrong */
#define OFNIC_RXC_CSUM_LEVEL_MASK	0x000000c0	/* extra verified checksums (tunnels) */
#define OFNIC_RXC_HASH_TYPE_MASK	0x00000f00	/* OFNIC_RXC_HASH_* */
#define OFNIC_RXC_HASH_NONE		0
#define OFNIC_RXC_HASH_L3		1	/* hash over addresses */
#define OFNIC_RXC_HASH_L4		2	/* hash over addresses and ports */
#define OFNIC_RXC_L3_MASK		0x00003000
#define OFNIC_RXC_L3_OTHER		0
#define OFNIC_RXC_L3_IPV4		1
#define OFNIC_RXC_L3_IPV6		2
#define OFNIC_RXC_COALESCED		0x00004000	/* seg_count TCP segments merged into one */
#define OFNIC_RXC_TUNNEL		0x00008000	/* hash and csum refer to inner headers */
#define OFNIC_RXC_L4_MASK		0x00030000
#define OFNIC_RXC_L4_OTHER		0
#define OFNIC_RXC_L4_TCP		1
#define OFNIC_RXC_L4_UDP		2
#define OFNIC_RXC_L4_SCTP		3
#define OFNIC_RXC_NTUPLE		0x00040000	/* steered by an ntuple rule */
#define OFNIC_RXC_LOOPBACK		0x00080000	/* came from this port's own TX */
#define OFNIC_RXC_FIXEDID		0x00100000	/* coalesced: first IPv4 ID fixed */
#define OFNIC_RXC_FIXEDID_INNER		0x00200000	/* coalesced IP-in-IP: inner ID fixed */
#define OFNIC_RXC_LRO			0x00400000	/* coalesced by the LRO rules (since 2.2) */

struct ofnic_rx_cmpl {
	__le32 rss_hash;	/* Toeplitz hash, valid if the hash type is not NONE */
	__le16 len;		/* bytes written to this buffer */
	__le16 vlan_tci;	/* with OFNIC_RXC_VLAN */
	__le32 status;		/* OFNIC_RXC_*; written last */
	__le16 seg_count;	/* with OFNIC_RXC_COALESCED: TCP segments merged */
	__le16 mss;		/* with OFNIC_RXC_COALESCED: payload size of the merged segments */
};

/* ------------------------------------------------------------------------------------------
 * Statistics block, written by OFNIC_REG_STATS_*: little-endian 64-bit counters,
 *   __le64 global[OFNIC_GSTAT_NUM];
 *   __le64 queue[OFNIC_REG_QUEUES][OFNIC_QSTAT_NUM];
 * so its size is 8 * (OFNIC_GSTAT_NUM + queues * OFNIC_QSTAT_NUM) bytes. The comment beside
 * each counter is its ethtool -S name (per-queue ones get a "q<N>_" prefix). New counters are
 * only ever appended before the _NUM entry.
 */
enum ofnic_gstat {
	OFNIC_GSTAT_TX_FRAMES,		/* tx_wire_frames */
	OFNIC_GSTAT_TX_BYTES,		/* tx_wire_bytes */
	OFNIC_GSTAT_TX_CSUM,		/* tx_csum_inserted */
	OFNIC_GSTAT_TX_IP4_CSUM,	/* tx_ip4_csum_inserted */
	OFNIC_GSTAT_TX_SCTP_CRC,	/* tx_sctp_crc_inserted */
	OFNIC_GSTAT_TX_VLAN,		/* tx_vlan_inserted */
	OFNIC_GSTAT_TX_TSO_PKTS,	/* tx_tso_packets */
	OFNIC_GSTAT_TX_TSO_SEGS,	/* tx_tso_segments */
	OFNIC_GSTAT_TX_USO_PKTS,	/* tx_uso_packets */
	OFNIC_GSTAT_TX_USO_SEGS,	/* tx_uso_segments */
	OFNIC_GSTAT_TX_UFO_PKTS,	/* tx_ufo_packets */
	OFNIC_GSTAT_TX_UFO_FRAGS,	/* tx_ufo_fragments */
	OFNIC_GSTAT_TX_TUNNEL_PKTS,	/* tx_tunnel_packets */
	OFNIC_GSTAT_TX_LOOPBACK,	/* tx_loopback_frames */
	OFNIC_GSTAT_TX_DROP_DESC,	/* tx_drop_bad_descriptor */
	OFNIC_GSTAT_TX_DROP_HDR,	/* tx_drop_bad_header */
	OFNIC_GSTAT_TX_DROP_MSS,	/* tx_drop_bad_mss */
	OFNIC_GSTAT_TX_DROP_LEN,	/* tx_drop_bad_length */
	OFNIC_GSTAT_TX_DROP_UNSUPP,	/* tx_drop_unsupported */
	OFNIC_GSTAT_TX_DROP_DMA,	/* tx_drop_dma_error */
	OFNIC_GSTAT_TX_DROP_LINK,	/* tx_drop_link_down */
	OFNIC_GSTAT_RX_FRAMES,		/* rx_wire_frames */
	OFNIC_GSTAT_RX_BYTES,		/* rx_wire_bytes */
	OFNIC_GSTAT_RX_BROADCAST,	/* rx_broadcast */
	OFNIC_GSTAT_RX_MULTICAST,	/* rx_multicast */
	OFNIC_GSTAT_RX_CSUM_GOOD,	/* rx_csum_good */
	OFNIC_GSTAT_RX_CSUM_BAD,	/* rx_csum_bad */
	OFNIC_GSTAT_RX_CSUM_NONE,	/* rx_csum_none */
	OFNIC_GSTAT_RX_VLAN_STRIP,	/* rx_vlan_stripped */
	OFNIC_GSTAT_RX_COALESCED,	/* rx_coalesced_packets */
	OFNIC_GSTAT_RX_COALESCED_SEGS,	/* rx_coalesced_segments */
	OFNIC_GSTAT_RX_FLUSH_FLAGS,	/* rx_coalesce_flush_flags */
	OFNIC_GSTAT_RX_FLUSH_MISMATCH,	/* rx_coalesce_flush_mismatch */
	OFNIC_GSTAT_RX_FLUSH_OOO,	/* rx_coalesce_flush_out_of_order */
	OFNIC_GSTAT_RX_FLUSH_SIZE,	/* rx_coalesce_flush_size */
	OFNIC_GSTAT_RX_FLUSH_TIMEOUT,	/* rx_coalesce_flush_timeout */
	OFNIC_GSTAT_RX_FLUSH_EVICT,	/* rx_coalesce_flush_evict */
	OFNIC_GSTAT_RX_NTUPLE_HITS,	/* rx_ntuple_hits */
	OFNIC_GSTAT_RX_DROP_FILTER,	/* rx_drop_address_filter */
	OFNIC_GSTAT_RX_DROP_VLAN,	/* rx_drop_vlan_filter */
	OFNIC_GSTAT_RX_DROP_NTUPLE,	/* rx_drop_ntuple */
	OFNIC_GSTAT_RX_DROP_SIZE,	/* rx_drop_bad_size */
	OFNIC_GSTAT_RX_DROP_QUEUE_OFF,	/* rx_drop_queue_disabled */
	OFNIC_GSTAT_RX_DROP_DMA,	/* rx_drop_dma_error */
	OFNIC_GSTAT_RX_DROP_DISABLED,	/* rx_drop_device_disabled */
	OFNIC_GSTAT_RING_ERRORS,	/* ring_errors */
	OFNIC_GSTAT_RX_TUNNEL,		/* rx_tunnel_packets */
	OFNIC_GSTAT_TX_TUNNEL_SEGS,	/* tx_tunnel_segments */
	/* wire fault injection (a test aid, off unless QEMU's fault-* properties are set) */
	OFNIC_GSTAT_FAULT_DROP,		/* rx_fault_dropped */
	OFNIC_GSTAT_FAULT_CORRUPT,	/* rx_fault_corrupted */
	OFNIC_GSTAT_FAULT_DUP,		/* rx_fault_duplicated */
	OFNIC_GSTAT_FAULT_REORDER,	/* rx_fault_reordered */
	/* flow control (OFNIC_REG_FC_CTRL), since 2.1 */
	OFNIC_GSTAT_RX_PAUSE,		/* rx_pause_frames */
	OFNIC_GSTAT_TX_PAUSE,		/* tx_pause_frames */
	OFNIC_GSTAT_RX_DROP_MAC_CTRL,	/* rx_drop_mac_control */
	/* forward error correction (OFNIC_REG_FEC_CTRL), since 2.1 */
	OFNIC_GSTAT_FEC_CORRECTED,	/* fec_corrected_blocks */
	OFNIC_GSTAT_FEC_UNCORRECTABLE,	/* fec_uncorrectable_blocks */
	OFNIC_GSTAT_FEC_CORRECTED_BITS,	/* fec_corrected_bits */
	OFNIC_GSTAT_FEC_RS_BIN_0,	/* fec_rs_codewords_0_errors */
	OFNIC_GSTAT_FEC_RS_BIN_1,	/* fec_rs_codewords_1_error */
	OFNIC_GSTAT_NUM
};

enum ofnic_qstat {
	OFNIC_QSTAT_TX_PKTS,		/* tx_packets */
	OFNIC_QSTAT_TX_WIRE_PKTS,	/* tx_wire_packets */
	OFNIC_QSTAT_TX_WIRE_BYTES,	/* tx_wire_bytes */
	OFNIC_QSTAT_TX_GSO_PKTS,	/* tx_hw_gso_packets */
	OFNIC_QSTAT_TX_GSO_BYTES,	/* tx_hw_gso_bytes */
	OFNIC_QSTAT_TX_GSO_WIRE_PKTS,	/* tx_hw_gso_wire_packets */
	OFNIC_QSTAT_TX_GSO_WIRE_BYTES,	/* tx_hw_gso_wire_bytes */
	OFNIC_QSTAT_TX_CSUM,		/* tx_csum_partial */
	OFNIC_QSTAT_TX_DROPS,		/* tx_hw_drops */
	OFNIC_QSTAT_RX_PKTS,		/* rx_packets */
	OFNIC_QSTAT_RX_BYTES,		/* rx_bytes */
	OFNIC_QSTAT_RX_GRO_PKTS,	/* rx_hw_gro_packets */
	OFNIC_QSTAT_RX_GRO_BYTES,	/* rx_hw_gro_bytes */
	OFNIC_QSTAT_RX_GRO_WIRE_PKTS,	/* rx_hw_gro_wire_packets */
	OFNIC_QSTAT_RX_GRO_WIRE_BYTES,	/* rx_hw_gro_wire_bytes */
	OFNIC_QSTAT_RX_CSUM_OK,		/* rx_csum_unnecessary */
	OFNIC_QSTAT_RX_CSUM_NONE,	/* rx_csum_none */
	OFNIC_QSTAT_RX_CSUM_BAD,	/* rx_csum_bad */
	OFNIC_QSTAT_RX_STALLS,		/* rx_no_buffer_stalls */
	OFNIC_QSTAT_RX_DROPS,		/* rx_hw_drops */
	OFNIC_QSTAT_IRQS,		/* interrupts */
	/* of RX_DROPS, the frames that found too few buffers posted (since 2.2) */
	OFNIC_QSTAT_RX_NO_BUF_DROPS,	/* rx_no_buffer_drops */
	OFNIC_QSTAT_NUM
};

#define OFNIC_STATS_SIZE(queues)	(8 * (OFNIC_GSTAT_NUM + (queues) * OFNIC_QSTAT_NUM))

#endif /* OFNIC_HW_H */

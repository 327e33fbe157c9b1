/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host microbenchmark of the ofnic engine, each figure next to memcpy() over
 * the same bytes: TSO with checksums (IPv4, IPv6, VXLAN), the Toeplitz hash
 * and RX classification + coalescing (HW-GRO, LRO).
 *
 * Every benchmark is verified, once in full with txo_util.h's independent
 * parser and checksums and then cheaply on every iteration (frame counts,
 * checksum sums, merged segments), so a broken engine fails the run (exit 1)
 * instead of timing a no-op.
 *
 *   make -C selftests/unit bench [BENCH_ARGS="-t 1 --json out.json"]
 */
#include "txo_util.h"
#include "bench_util.h"

#define MSS		1448	/* 1500 MTU with TCP timestamps */
#define TS_OPT		12	/* NOP, NOP, timestamp */
#define SUPER_PAYLOAD	(64 * 1024)	/* OFNIC_TSO_MAX_PAYLOAD */
#define NREC		1024	/* 64-byte frames hashed per op */
#define REC		64
#define RX_FLOWS	4
#define RX_SEGS		45	/* 45 * 1448 + headers: a full 64 KiB IP packet */
#define RX_SLOT		1536
#define VXLAN_PORT	4789

static struct sink sk;

static const uint8_t ms_key[OFNIC_RSS_KEY_SIZE] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* ---------------------------------------------------------------------------
 * TSO: a 64 KiB super-packet cut at MSS 1448, checksums by the engine.
 */
struct tso_ctx {
	struct pkt *p;		/* as the descriptors give it */
	struct pkt *in;		/* VXLAN: the inner frame, else NULL */
	struct ofnic_tx_ctx_desc c;
	uint64_t caps;
	unsigned int seg, nseg, l4_csums;
	size_t hdr, csum_at;	/* header iov length, TCP checksum in it */
	const uint8_t *pl;	/* the payload in p->buf */
	bool copy;		/* copy every frame out, as to a wire */
	uint8_t *wire;
	/* emit() state and checks */
	size_t next;
	unsigned int frames;
	uint32_t csums, csums1;	/* sum of TCP checksums: all, per packet */
	uint64_t pkts, bad;
};

static int tso_emit(void *opaque, const struct ofnic_txo_iov *iov,
		    unsigned int iovcnt, size_t len)
{
	struct tso_ctx *t = opaque;
	const uint8_t *h = iov[0].base;

	/* zero copy: the header template, then the next payload slice */
	if (iovcnt != 2 || iov[0].len != t->hdr ||
	    iov[1].base != t->pl + t->next || t->hdr + iov[1].len != len) {
		t->bad++;
		return 1;
	}
	t->next += iov[1].len;
	t->frames++;
	t->csums += (uint32_t)g16(h + t->csum_at);
	if (t->copy) {
		memcpy(t->wire, iov[0].base, iov[0].len);
		memcpy(t->wire + iov[0].len, iov[1].base, iov[1].len);
		clobber(t->wire);
	}
	return 0;
}

static void tso_run(void *ctx, uint64_t ops)
{
	struct tso_ctx *t = ctx;
	struct ofnic_txo_result res;
	struct ofnic_txo_cfg cfg;

	for (; ops; ops--) {
		cfg = (struct ofnic_txo_cfg){ .caps = t->caps };
		t->next = 0;
		t->frames = 0;
		if (ofnic_tx_offload(&cfg, &t->c, t->p->buf, t->p->len,
				     tso_emit, t, &res) ||
		    res.frames != t->nseg || t->frames != t->nseg ||
		    t->next != SUPER_PAYLOAD || res.l4_csums != t->l4_csums)
			t->bad++;
		t->pkts++;
	}
}

/* p = Ethernet/IPv4/UDP (ID 0x4321) + VXLAN (VNI 42) around the frame in. */
static void wrap_vxlan(struct pkt *p, const struct pkt *in)
{
	struct pspec s = { .proto = 17, .payload = 8 + (uint32_t)in->len,
			   .ip_id = 0x4321 };
	uint8_t *vx;

	build(p, &s);
	vx = p->buf + p->l2 + p->l3 + 8;
	p16(vx - 6, VXLAN_PORT);
	memset(vx, 0, 8);
	vx[0] = 0x08;		/* I flag */
	vx[6] = 42;
	memcpy(vx + 8, in->buf, in->len);
	memcpy(p->orig, p->buf, p->len);
}

static struct tso_ctx *tso_new(bool v6, bool vxlan, bool copy)
{
	struct pspec s = { .v6 = v6, .proto = 6, .tcp_opt_len = TS_OPT,
			   .tcp_flags = TCPF_ACK | TCPF_PSH, .ip_id = 0x1234,
			   .df = true, .seq = 0xfff00000u,
			   .payload = SUPER_PAYLOAD, .seed = 1 };
	struct tso_ctx *t = xalloc(sizeof(*t));
	struct pkt *ip;

	t->seg = v6 ? OFNIC_TXC_SEG_TCP6 : OFNIC_TXC_SEG_TCP4;
	t->nseg = (SUPER_PAYLOAD + MSS - 1) / MSS;
	t->caps = ALL_CAPS;
	t->p = pkt_new();
	build(t->p, &s);
	ip = t->p;
	if (vxlan) {
		t->in = t->p;
		t->p = pkt_new();
		wrap_vxlan(t->p, t->in);
		t->caps |= OFNIC_CAP_TUNNEL_TSO | OFNIC_CAP_TUNNEL_OUTER_CSUM;
		t->c = mkctx(t->seg | OFNIC_TXC_TUNNEL |
			     OFNIC_TXC_OUTER_UDP_CSUM, MSS, t->p);
		t->c.tun_len = (uint8_t)(8 + 8 + ip->l2);
		t->c.in_l3_len = (uint8_t)ip->l3;
		t->c.l4_len = (uint8_t)ip->l4;
		t->l4_csums = 2 * t->nseg;
	} else {
		t->c = mkctx(t->seg, MSS, t->p);
		t->l4_csums = t->nseg;
	}
	t->hdr = t->p->len - SUPER_PAYLOAD;
	t->csum_at = t->hdr - ip->l4 + 16;
	t->pl = t->p->buf + t->hdr;
	t->copy = copy;
	t->wire = xalloc(OFNIC_MAX_FRAME);
	return t;
}

/*
 * Full check of one packet's frames with txo_util.h (payload, sequence
 * numbers, flags, IDs, lengths, checksums); VXLAN: the outer headers by
 * pf_parse() (outer IPv4 and UDP checksums), then the inner frames.
 */
static void tso_verify(struct tso_ctx *t, const char *name)
{
	static struct sink inner;
	struct ofnic_txo_cfg cfg = { .caps = t->caps };
	struct ofnic_txo_result res;
	struct vexp ex = { .vlan = false };
	const char *why = "";
	unsigned int i;
	struct pf r;

	sink_reset(&sk);
	if (ofnic_tx_offload(&cfg, &t->c, t->p->buf, t->p->len, sink_emit, &sk,
			     &res))
		fail("%s: refused: %s", name, ofnic_txo_err_str(res.err));
	if (sk.n != t->nseg || res.frames != t->nseg)
		fail("%s: %u frames, expected %u", name, sk.n, t->nseg);
	t->csums1 = 0;
	for (i = 0; i < sk.n; i++)
		t->csums1 += (uint32_t)g16(sk.f[i].d + t->csum_at);
	if (!t->in) {
		if (!verify_seg(name, t->p, t->seg, MSS, &sk, &ex))
			fail("%s: frames do not check out", name);
		return;
	}
	memset(&inner, 0, sizeof(inner));
	for (i = 0; i < sk.n; i++) {
		size_t tun_end = t->p->len - t->in->len;
		const uint8_t *d = sk.f[i].d;

		if (!pf_parse(d, sk.f[i].len, &r, &why) || r.proto != 17 ||
		    r.poff + 8 != tun_end || g16(d + 18) != 0x4321 + i ||
		    memcmp(d + r.poff, t->p->orig + r.poff, 8))
			fail("%s: frame %u: outer headers: %s", name, i, why);
		inner.f[i].d = sk.f[i].d + tun_end;
		inner.f[i].len = sk.f[i].len - tun_end;
		inner.f[i].iovcnt = 2;
	}
	inner.n = sk.n;
	if (!verify_seg(name, t->in, t->seg, MSS, &inner, &ex))
		fail("%s: inner frames do not check out", name);
	memset(&inner, 0, sizeof(inner));	/* pointers into sk */
}

static void tso_check(struct tso_ctx *t, const char *name)
{
	if (t->bad)
		fail("%s: %llu bad packets", name, (unsigned long long)t->bad);
	if (t->csums != (uint32_t)(t->pkts * t->csums1))
		fail("%s: checksums changed between packets", name);
	if (memcmp(t->p->buf, t->p->orig, t->p->len))
		fail("%s: the packet buffer was modified", name);
}

static void tso_free(struct tso_ctx *t)
{
	pkt_free(t->p);
	if (t->in)
		pkt_free(t->in);
	free(t->wire);
	free(t);
}

static void bench_tso(void)
{
	static const struct {
		const char *name;
		bool v6, vxlan, copy;
	} v[] = {
		{ "TSO4 64 KiB, MSS 1448, TCP+IPv4 csum", false, false, false },
		{ "TSO4 64 KiB + copy of each frame out", false, false, true },
		{ "TSO6 64 KiB, MSS 1448, TCP csum", true, false, false },
		{ "VXLAN4/TSO4 64 KiB, MSS 1448, +outer UDP csum",
		  false, true, false },
	};
	struct row *r, *plain = NULL;
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct tso_ctx *t;

		if (!want(v[i].name))
			continue;
		t = tso_new(v[i].v6, v[i].vxlan, v[i].copy);
		tso_verify(t, v[i].name);
		t->pkts = 0;
		t->csums = 0;
		r = run_row(v[i].name, "seg", SUPER_PAYLOAD, t->nseg, tso_run,
			    t);
		tso_check(t, v[i].name);
		/* TSO4 with and without copy-out: the same packet bytes */
		baseline(r, v[i].v6 || v[i].vxlan ? NULL : &plain, t->pl, 0,
			 SUPER_PAYLOAD, 1);
		tso_free(t);
	}
}

/* ---------------------------------------------------------------------------
 * Toeplitz: the 4-tuple of NREC 64-byte TCP frames per op, 40-byte key.
 */
struct hash_ctx {
	const struct ofnic_toeplitz_tbl *tbl;
	const uint8_t *rec;	/* NREC frames, REC bytes apart */
	size_t off, len;	/* the hash input in a frame */
	bool ref;		/* the bitwise ofnic_toeplitz() */
	uint32_t sum, sum1;	/* of the hashes: all, one op */
	uint64_t ops;
};

static void hash_run(void *ctx, uint64_t ops)
{
	struct hash_ctx *h = ctx;
	const uint8_t *in = h->rec + h->off;
	unsigned int i;
	uint32_t s;

	for (; ops; ops--) {
		s = 0;
		if (h->ref)
			for (i = 0; i < NREC; i++)
				s += ofnic_toeplitz(ms_key, in + i * REC,
						    h->len);
		else
			for (i = 0; i < NREC; i++)
				s += ofnic_toeplitz_fast(h->tbl, in + i * REC,
							 h->len);
		h->sum += s;
		h->ops++;
	}
}

/* Frames whose first 64 bytes hold IPv4 or IPv6 addresses and TCP ports. */
static uint8_t *hash_frames(bool v6)
{
	uint8_t *rec = xalloc(NREC * REC), *f;
	uint32_t x = v6 ? 99 : 7;
	unsigned int i, j, l3 = v6 ? 40 : 20;

	for (i = 0; i < NREC; i++) {
		f = rec + i * REC;
		memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01",
		       12);
		p16(f + 12, v6 ? 0x86dd : 0x0800);
		f[14] = v6 ? 0x60 : 0x45;
		f[v6 ? 20 : 23] = 6;
		for (j = v6 ? 22 : 26; j < 14u + l3 + 4; j++) {
			x = x * 1103515245u + 12345;
			f[j] = (uint8_t)(x >> 16);
		}
	}
	return rec;
}

static void bench_hash(void)
{
	static struct ofnic_toeplitz_tbl tbl;
	/* Microsoft's RSS verification suite, first IPv4 TCP vector */
	static const uint8_t vec[12] = { 66, 9, 149, 187, 161, 142, 100, 80,
					 0x0a, 0xea, 0x06, 0xe6 };
	static const struct {
		const char *name;
		bool v6, ref;
	} v[] = {
		{ "Toeplitz (table), IPv4 4-tuple (12 B)", false, false },
		{ "Toeplitz (table), IPv6 4-tuple (36 B)", true, false },
		{ "Toeplitz (bitwise), IPv4 4-tuple (12 B)", false, true },
	};
	struct row *r, *first = NULL;
	unsigned int i, k;

	ofnic_toeplitz_prepare(&tbl, ms_key);
	if (ofnic_toeplitz(ms_key, vec, 12) != 0x51ccc178 ||
	    ofnic_toeplitz_fast(&tbl, vec, 12) != 0x51ccc178)
		fail("toeplitz: Microsoft test vector");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct hash_ctx h = { .tbl = &tbl, .ref = v[i].ref,
				      .off = v[i].v6 ? 22 : 26,
				      .len = v[i].v6 ? 36 : 12 };
		uint8_t *rec;

		if (!want(v[i].name))
			continue;
		rec = hash_frames(v[i].v6);
		h.rec = rec;
		for (k = 0; k < NREC; k++) {
			uint32_t a = ofnic_toeplitz(ms_key, rec + k * REC + h.off,
						    h.len);

			if (a != ofnic_toeplitz_fast(&tbl, rec + k * REC + h.off,
						     h.len))
				fail("%s: table and bitwise hashes differ",
				     v[i].name);
			h.sum1 += a;
		}
		r = run_row(v[i].name, "hash", (double)NREC * REC, NREC,
			    hash_run, &h);
		if (h.sum != (uint32_t)(h.ops * h.sum1))
			fail("%s: hashes changed between passes", v[i].name);
		baseline(r, &first, rec, REC, REC, NREC); /* 64 B frames alike */
		free(rec);
	}
}

/* ---------------------------------------------------------------------------
 * RX: in-order 1448-byte segments of RX_FLOWS TCP/IPv4 flows, interleaved,
 * classified (checksums, RSS) and coalesced. An op is one round of RX_SEGS
 * segments per flow; the next round restarts the sequence numbers, which
 * flushes every flow with exactly RX_SEGS segments.
 */
struct rx_ctx {
	uint8_t *frames;	/* in arrival order, RX_SLOT apart */
	unsigned int nf, flen, hdr;
	struct ofnic_rx_cfg cfg;
	struct ofnic_rsc_cfg rc;
	struct ofnic_rsc_queue rq;
	struct ofnic_rss_ctx rss[OFNIC_RSS_MAX_CONTEXTS];
	uint32_t vlan_filter[OFNIC_VLAN_FILTER_REGS];
	uint32_t ntuple[OFNIC_NTUPLE_MAX_RULES][OFNIC_NTUPLE_REGS];
	uint8_t scratch[OFNIC_MAX_FRAME];
	uint64_t gstats[OFNIC_GSTAT_NUM];
	struct ofnic_rx_result res;
	uint64_t now, in_segs, out_segs, out_frames, bad;
	bool capture;
	unsigned int ncap;
	uint8_t *cap[RX_FLOWS];
	size_t cap_len[RX_FLOWS];
};

static uint32_t rx_seq0(unsigned int f)
{
	return 0x10000000u * f + 0x0fff0000u;	/* wraps within a round */
}

static bool rx_out(void *opaque, const uint8_t *frame, size_t len,
		   const struct ofnic_rx_meta *meta, uint16_t segs,
		   uint64_t wire)
{
	struct rx_ctx *r = opaque;

	r->out_frames++;
	r->out_segs += segs;
	if (segs != RX_SEGS || !(meta->status & OFNIC_RXC_COALESCED) ||
	    meta->seg_count != segs || meta->mss != MSS ||
	    wire != (uint64_t)segs * r->flen ||
	    len != r->hdr + (size_t)segs * MSS)
		r->bad++;
	if (r->capture && r->ncap < RX_FLOWS) {
		memcpy(r->cap[r->ncap], frame, len);
		r->cap_len[r->ncap++] = len;
	}
	return true;
}

static void rx_run(void *ctx, uint64_t ops)
{
	struct rx_ctx *r = ctx;
	unsigned int i;

	for (; ops; ops--) {
		for (i = 0; i < r->nf; i++) {
			const uint8_t *f = r->frames + (size_t)i * RX_SLOT;

			if (ofnic_rx_classify(&r->cfg, f, r->flen, r->scratch,
					      &r->res) != OFNIC_RXV_PASS ||
			    ofnic_rsc_rx(&r->rq, &r->rc, &r->res, r->now++) !=
			    OFNIC_RSC_HELD)
				r->bad++;
		}
		r->in_segs += r->nf;
	}
}

static void rx_flush(struct rx_ctx *r, const char *name)
{
	if (!ofnic_rsc_flush_all(&r->rq, &r->rc, OFNIC_GSTAT_RX_FLUSH_EVICT))
		fail("%s: flush failed", name);
}

static void rx_finish(struct pkt *p)
{
	uint8_t *ip = p->buf + p->l2, *th = ip + p->l3;
	uint32_t l4len = (uint32_t)(p->len - p->l2 - p->l3);

	p16(ip + 10, 0);
	p16(ip + 10, t_fold(t_sum(0, ip, p->l3)));
	p16(th + 16, 0);
	p16(th + 16, t_fold(t_sum(t_pseudo(ip, 6, l4len), th, l4len)));
}

static struct rx_ctx *rx_new(bool lro)
{
	struct rx_ctx *r = xalloc(sizeof(*r));
	struct pkt *p = pkt_new();
	unsigned int f, k, i;

	r->nf = RX_FLOWS * RX_SEGS;
	r->frames = xalloc((size_t)r->nf * RX_SLOT);
	for (k = 0; k < RX_SEGS; k++) {
		for (f = 0; f < RX_FLOWS; f++) {
			struct pspec s = { .proto = 6, .tcp_opt_len = TS_OPT,
					   .tcp_flags = TCPF_ACK, .df = true,
					   .ip_id = (uint16_t)(f * 1000 + k),
					   .seq = rx_seq0(f) + k * MSS,
					   .payload = MSS,
					   .seed = f * 1000 + k + 1 };

			build(p, &s);
			p16(p->buf + p->l2 + p->l3, (uint16_t)(40000 + f));
			rx_finish(p);
			memcpy(r->frames + (size_t)(k * RX_FLOWS + f) * RX_SLOT,
			       p->buf, p->len);
		}
	}
	r->flen = (unsigned int)p->len;
	r->hdr = p->l2 + p->l3 + p->l4;
	pkt_free(p);

	for (i = 0; i < OFNIC_RSS_INDIR_SIZE; i++)
		r->rss[0].indir[i] = (uint8_t)(i % 8);
	memcpy(r->rss[0].key, ms_key, sizeof(ms_key));
	r->rss[0].fields = OFNIC_RSS_FIELDS_DEFAULT;
	r->rss[0].enabled = true;
	r->cfg = (struct ofnic_rx_cfg){
		.offload = OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_RSS |
			   (lro ? OFNIC_OFFLOAD_LRO : OFNIC_OFFLOAD_HW_GRO),
		.queues = 8, .need_csum = true,
		.vlan_filter = r->vlan_filter, .rss = r->rss,
		.ntuple = (const uint32_t (*)[OFNIC_NTUPLE_REGS])r->ntuple,
	};
	r->rc = (struct ofnic_rsc_cfg){ .lro = lro, .gstats = r->gstats,
					.out = rx_out, .opaque = r };
	for (i = 0; i < OFNIC_RSC_FLOWS; i++)
		r->rq.flow[i].buf = xalloc(OFNIC_RSC_BUF_SIZE);
	for (i = 0; i < RX_FLOWS; i++)
		r->cap[i] = xalloc(OFNIC_RSC_BUF_SIZE);
	return r;
}

static void rx_reset(struct rx_ctx *r)
{
	ofnic_rsc_discard(&r->rq);
	memset(r->gstats, 0, sizeof(r->gstats));
	r->in_segs = r->out_segs = r->out_frames = r->bad = 0;
}

/* One round, every merged frame re-parsed and compared with its segments. */
static void rx_verify(struct rx_ctx *r, const char *name)
{
	bool seen[RX_FLOWS] = { false };
	const char *why = "";
	unsigned int i, k, f, skip[6];
	struct pf pf;

	rx_reset(r);
	r->capture = true;
	r->ncap = 0;
	rx_run(r, 1);
	rx_flush(r, name);
	r->capture = false;
	if (r->bad || r->ncap != RX_FLOWS || r->out_segs != r->nf)
		fail("%s: %u frames out of %u segments, %llu bad", name,
		     r->ncap, r->nf, (unsigned long long)r->bad);
	for (i = 0; i < RX_FLOWS; i++) {
		const uint8_t *c = r->cap[i];

		if (!pf_parse(c, r->cap_len[i], &pf, &why) ||
		    pf.poff != r->hdr)
			fail("%s: merged frame %u: %s", name, i, why);
		f = g16(c + pf.l4off) - 40000u;
		if (f >= RX_FLOWS || seen[f] ||
		    g32(c + pf.l4off + 4) != rx_seq0(f))
			fail("%s: merged frame %u: wrong flow", name, i);
		seen[f] = true;
		/* the segments' headers are alike: all but length, checksums */
		skip[0] = pf.l3off + 2;
		skip[1] = skip[0] + 2;
		skip[2] = pf.l3off + 10;
		skip[3] = skip[2] + 2;
		skip[4] = pf.l4off + 16;
		skip[5] = skip[4] + 2;
		if (!same_except(c, r->frames + (size_t)f * RX_SLOT, r->hdr,
				 skip, 3))
			fail("%s: merged frame %u: headers changed", name, i);
		for (k = 0; k < RX_SEGS; k++)
			if (memcmp(c + r->hdr + (size_t)k * MSS,
				   r->frames + (size_t)(k * RX_FLOWS + f) *
				   RX_SLOT + r->hdr, MSS))
				fail("%s: merged frame %u: payload %u differs",
				     name, i, k);
	}
	rx_reset(r);
}

/* After a measurement: every segment came out, RX_SEGS per frame. */
static void rx_check(struct rx_ctx *r, const char *name)
{
	rx_flush(r, name);
	if (r->bad || r->out_segs != r->in_segs ||
	    r->out_frames * RX_SEGS != r->in_segs ||
	    r->gstats[OFNIC_GSTAT_RX_COALESCED_SEGS] != r->in_segs)
		fail("%s: %llu segments in, %llu out in %llu frames, %llu bad",
		     name, (unsigned long long)r->in_segs,
		     (unsigned long long)r->out_segs,
		     (unsigned long long)r->out_frames,
		     (unsigned long long)r->bad);
}

static void rx_free(struct rx_ctx *r)
{
	unsigned int i;

	for (i = 0; i < OFNIC_RSC_FLOWS; i++)
		free(r->rq.flow[i].buf);
	for (i = 0; i < RX_FLOWS; i++)
		free(r->cap[i]);
	free(r->frames);
	free(r);
}

static void bench_rx(void)
{
	static const char *const names[] = {
		"RX csum+RSS+HW-GRO, 4 TCP4 flows x 45 x 1448 B",
		"RX csum+RSS+LRO, same segments",
	};
	struct row *r, *first = NULL;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct rx_ctx *x;

		if (!want(names[i]))
			continue;
		x = rx_new(i == 1);
		rx_verify(x, names[i]);
		r = run_row(names[i], "seg", (double)x->nf * MSS, x->nf,
			    rx_run, x);
		rx_check(x, names[i]);
		/* the payload bytes the coalescer copies */
		baseline(r, &first, x->frames + x->hdr, RX_SLOT, MSS, x->nf);
		rx_free(x);
	}
}

int main(int argc, char **argv)
{
	const char *json = parse_args(argc, argv);

	bench_tso();
	bench_hash();
	bench_rx();
	sink_reset(&sk);
	if (!nrows)
		fail("no measurement matches");
	print_table();
	if (json)
		write_json(json);
	return 0;
}

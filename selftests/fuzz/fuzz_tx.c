/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: TX offloads (ofnic_tx_offload) on a packet and a context
 * descriptor the fuzzer chooses.
 *
 * Input: context descriptor (16 bytes, raw), device caps (8), IPv6 fragment ID
 * (4), stop-after (1: the emit callback refuses that frame, which stops the
 * packet; 0 never), then the packet. The packet sits in a buffer of exactly its length,
 * so ASan catches any access past it. Checked: nothing is emitted for a dropped
 * packet; the frames' iovecs add up; the result counts what was emitted; every
 * frame parses.
 */
#include "fuzz_util.h"

struct sink {
    unsigned int calls, frames, stop_after;
    uint64_t bytes;
    unsigned int seg;
    size_t pkt_len;
};

static uint8_t lin[OFNIC_TX_MAX_PKT_LEN + 64];

static int emit(void *opaque, const struct ofnic_txo_iov *iov,
                unsigned int iovcnt, size_t len)
{
    struct sink *s = opaque;
    struct ofnic_pkt_info pi;
    size_t sum = 0, i;

    FUZZ_CHECK(iovcnt >= 1 && iovcnt <= OFNIC_TXO_MAX_IOV);
    for (i = 0; i < iovcnt; i++) {
        FUZZ_CHECK(iov[i].base || !iov[i].len);
        FUZZ_CHECK(sum + iov[i].len <= sizeof(lin));
        memcpy(lin + sum, iov[i].base, iov[i].len);
        sum += iov[i].len;
    }
    FUZZ_CHECK(sum == len);
    /* a frame is never longer than the packet plus an inserted tag and an IPv6 fragment header */
    FUZZ_CHECK(len <= s->pkt_len + 4 + 8);
    fuzz_touch(lin, len);
    (void)ofnic_parse(lin, len, &pi);
    /* a frame the callback refuses stops the packet and is not counted as sent */
    if (s->stop_after && ++s->calls >= s->stop_after) {
        return 1;
    }
    s->frames++;
    s->bytes += len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fin in = { data, size };
    struct ofnic_tx_ctx_desc ctx;
    struct ofnic_txo_result res;
    struct ofnic_txo_cfg cfg;
    struct sink s = { 0 };
    enum ofnic_txo_err err;
    uint8_t *buf;

    fin_bytes(&in, &ctx, sizeof(ctx));
    cfg.caps = fin_u64(&in);
    cfg.frag6_id = fin_u32(&in);
    s.stop_after = fin_u8(&in);
    if (in.n > OFNIC_TX_MAX_PKT_LEN) {
        return 0;
    }
    s.pkt_len = in.n;
    buf = malloc(in.n ? in.n : 1);
    FUZZ_CHECK(buf);
    memcpy(buf, in.p, in.n);

    err = ofnic_tx_offload(&cfg, &ctx, buf, in.n, emit, &s, &res);
    FUZZ_CHECK(err == res.err);
    if (err != OFNIC_TXOE_NONE) {
        FUZZ_CHECK(s.frames == 0 && s.calls == 0);
        FUZZ_CHECK(err < OFNIC_TXOE_NUM);
        (void)ofnic_txo_err_gstat(err);
        FUZZ_CHECK(ofnic_txo_err_str(err) != NULL);
    } else {
        FUZZ_CHECK(s.frames >= 1 || s.stop_after == 1);
        FUZZ_CHECK(res.frames == s.frames);
        FUZZ_CHECK(res.bytes == s.bytes);
    }
    free(buf);
    return 0;
}

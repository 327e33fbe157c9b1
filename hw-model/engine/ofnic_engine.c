/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ofnic engine: TX ring walk and RX buffer placement.
 */
#include "ofnic_engine.h"

#define TXD_SIZE sizeof(struct ofnic_tx_desc)
#define TX_FETCH_CHUNK 8
/* A context descriptor plus the data descriptors of one packet. */
#define TX_MAX_EXTENT (OFNIC_TX_MAX_DESCS_PER_PKT + 1)

const char *ofnic_tx_error_str(enum ofnic_tx_error e)
{
    static const char *const names[OFNIC_TXE_NUM] = {
        [OFNIC_TXE_NONE] = "none",
        [OFNIC_TXE_ZERO_LEN] = "zero-length buffer",
        [OFNIC_TXE_BUF_LEN] = "buffer longer than 65535 bytes",
        [OFNIC_TXE_TOO_MANY] = "too many descriptors",
        [OFNIC_TXE_TOO_LONG] = "packet too long",
        [OFNIC_TXE_TOO_SHORT] = "packet too short",
        [OFNIC_TXE_BAD_TYPE] = "unknown descriptor type",
        [OFNIC_TXE_CTX_PLACE] = "misplaced context descriptor",
    };

    if ((unsigned int)e >= OFNIC_TXE_NUM) {
        return "?";
    }
    return names[e];
}

/*
 * Read descriptors [idx, idx + n) of the ring into d; the range does not wrap.
 */
static int tx_read_descs(const struct ofnic_dma *dma,
                         const struct ofnic_ring *ring, uint32_t idx,
                         uint32_t n, struct ofnic_tx_desc *d)
{
    return dma->read(dma->opaque, ring->base + (uint64_t)idx * TXD_SIZE, d,
                     n * TXD_SIZE);
}

static enum ofnic_tx_status tx_malformed(struct ofnic_tx_pkt *pkt,
                                         enum ofnic_tx_error e, uint32_t ndesc)
{
    pkt->error = e;
    pkt->ndesc = ndesc;
    return OFNIC_TX_MALFORMED;
}

enum ofnic_tx_status ofnic_tx_fetch(const struct ofnic_dma *dma,
                                    const struct ofnic_ring *ring, uint8_t *buf,
                                    size_t buf_size, struct ofnic_tx_pkt *pkt)
{
    struct ofnic_tx_desc d[TX_MAX_EXTENT];
    uint32_t mask = ring->size - 1;
    uint32_t avail = ofnic_ring_avail(ring);
    uint32_t limit = avail < TX_MAX_EXTENT ? avail : TX_MAX_EXTENT;
    uint32_t have = 0; /* descriptors read into d[] */
    uint32_t i, ndata = 0, first_data = 0;
    uint64_t total = 0;
    size_t cap =
        buf_size < OFNIC_TX_MAX_PKT_LEN ? buf_size : OFNIC_TX_MAX_PKT_LEN;
    enum ofnic_tx_error err = OFNIC_TXE_NONE;
    bool eop = false;

    memset(pkt, 0, sizeof(*pkt));

    /* Pass 1: find the extent of the packet and check it. */
    for (i = 0; i < limit && !eop; i++) {
        uint16_t cmd;
        uint32_t len;

        if (i == have) {
            uint32_t idx = (ring->head + i) & mask;
            uint32_t n = limit - i;

            if (n > TX_FETCH_CHUNK) {
                n = TX_FETCH_CHUNK;
            }
            if (n > ring->size - idx) {
                n = ring->size - idx; /* no wrap inside one read */
            }
            if (tx_read_descs(dma, ring, idx, n, &d[have])) {
                pkt->desc_dma_error = true;
                return OFNIC_TX_DMA_ERROR;
            }
            have += n;
        }

        cmd = ofnic_le16(d[i].cmd);
        switch (cmd & OFNIC_TXD_TYPE_MASK) {
        case OFNIC_TXD_TYPE_CTX:
            if (i != 0) {
                return tx_malformed(pkt, OFNIC_TXE_CTX_PLACE, i + 1);
            }
            pkt->has_ctx = true;
            memcpy(&pkt->ctx, &d[0], sizeof(pkt->ctx));
            first_data = 1;
            continue;
        case OFNIC_TXD_TYPE_DATA:
            break;
        default:
            return tx_malformed(pkt, OFNIC_TXE_BAD_TYPE, i + 1);
        }

        ndata++;
        len = ofnic_le32(d[i].len);
        if (err == OFNIC_TXE_NONE) {
            if (len == 0) {
                err = OFNIC_TXE_ZERO_LEN;
            } else if (len > 0xffff) {
                err = OFNIC_TXE_BUF_LEN;
            } else if (total + len > cap) {
                err = OFNIC_TXE_TOO_LONG;
            }
        }
        total += len;
        if (cmd & OFNIC_TXD_EOP) {
            eop = true;
        } else if (ndata == OFNIC_TX_MAX_DESCS_PER_PKT) {
            return tx_malformed(pkt, OFNIC_TXE_TOO_MANY, i + 1);
        }
    }

    if (!eop) {
        /* limit < TX_MAX_EXTENT here: the chain reaches tail. */
        return OFNIC_TX_NOT_READY;
    }
    pkt->ndesc = i;
    if (err != OFNIC_TXE_NONE) {
        return tx_malformed(pkt, err, i);
    }
    if (total < OFNIC_MIN_FRAME) {
        return tx_malformed(pkt, OFNIC_TXE_TOO_SHORT, i);
    }

    /* Pass 2: gather the buffers, each byte copied once. */
    total = 0;
    for (i = first_data; i < pkt->ndesc; i++) {
        uint32_t len = ofnic_le32(d[i].len);

        if (dma->read(dma->opaque, ofnic_le64(d[i].addr), buf + total, len)) {
            pkt->desc_dma_error = false;
            return OFNIC_TX_DMA_ERROR;
        }
        total += len;
    }
    pkt->len = (uint32_t)total;
    return OFNIC_TX_READY;
}

/*
 * RX.
 */
#define RXD_SIZE sizeof(struct ofnic_rx_desc)
#define RX_MAX_BUFS \
    ((OFNIC_RX_MAX_COALESCE + OFNIC_RX_BUF_MIN - 1) / OFNIC_RX_BUF_MIN)
#define RX_FETCH_CHUNK 16

enum ofnic_rx_status ofnic_rx_place(const struct ofnic_dma *dma,
                                    struct ofnic_ring *ring, uint32_t buf_size,
                                    const uint8_t *frame, size_t len,
                                    const struct ofnic_rx_meta *meta,
                                    uint32_t *used)
{
    struct ofnic_rx_desc d[RX_FETCH_CHUNK];
    uint32_t mask = ring->size - 1;
    uint32_t need, i, j, n;
    size_t off;

    *used = 0;
    if (len == 0 || buf_size == 0 || len > (size_t)buf_size * RX_MAX_BUFS) {
        return OFNIC_RX_BAD_ARGS;
    }
    need = (uint32_t)((len + buf_size - 1) / buf_size);
    if (need > ring->size - 1) {
        return OFNIC_RX_TOO_LONG; /* waiting would stall the queue for good */
    }
    if (ofnic_ring_avail(ring) < need) {
        return OFNIC_RX_NO_SPACE;
    }

    /* Data first: nothing is completed unless every buffer could be written. */
    off = 0;
    for (i = 0; i < need; i += n) {
        uint32_t idx = (ring->head + i) & mask;

        n = need - i;
        if (n > RX_FETCH_CHUNK) {
            n = RX_FETCH_CHUNK;
        }
        if (n > ring->size - idx) {
            n = ring->size - idx;
        }
        if (dma->read(dma->opaque, ring->base + (uint64_t)idx * RXD_SIZE, d,
                      n * RXD_SIZE)) {
            return OFNIC_RX_RING_DMA_ERROR;
        }
        for (j = 0; j < n; j++) {
            size_t chunk = len - off < buf_size ? len - off : buf_size;

            if (dma->write(dma->opaque, ofnic_le64(d[j].addr), frame + off,
                           chunk)) {
                return OFNIC_RX_BUF_DMA_ERROR;
            }
            off += chunk;
        }
    }

    /*
     * Completions, in order, each with its status dword in a separate, later
     * write.
     */
    off = 0;
    for (i = 0; i < need; i++) {
        uint32_t idx = ring->head;
        uint64_t addr = ring->base + (uint64_t)idx * RXD_SIZE;
        size_t chunk = len - off < buf_size ? len - off : buf_size;
        struct ofnic_rx_cmpl c;
        uint32_t status = OFNIC_RXC_DD;
        __le32 st;

        memset(&c, 0, sizeof(c));
        c.len = ofnic_cpu_to_le16((uint16_t)chunk);
        if (i == 0) {
            c.rss_hash = ofnic_cpu_to_le32(meta->rss_hash);
            c.vlan_tci = ofnic_cpu_to_le16(meta->vlan_tci);
            c.seg_count = ofnic_cpu_to_le16(meta->seg_count);
            c.mss = ofnic_cpu_to_le16(meta->mss);
            status |= meta->status & ~(uint32_t)(OFNIC_RXC_DD | OFNIC_RXC_EOP);
        }
        if (i == need - 1) {
            status |= OFNIC_RXC_EOP;
        }
        /* c.status is 0 here: DD stays clear until the final write below. */
        if (dma->write(dma->opaque, addr, &c, sizeof(c))) {
            return OFNIC_RX_RING_DMA_ERROR;
        }
        st = ofnic_cpu_to_le32(status);
        if (dma->write(dma->opaque,
                       addr + offsetof(struct ofnic_rx_cmpl, status), &st,
                       sizeof(st))) {
            return OFNIC_RX_RING_DMA_ERROR;
        }
        off += chunk;
        ring->head = (ring->head + 1) & mask;
        (*used)++;
    }
    return OFNIC_RX_DONE;
}

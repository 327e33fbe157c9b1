/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wire fault injection: the rates hold, a seed repeats a run, corruption flips
 * exactly one bit after the Ethernet header.
 */
#include <stdlib.h>
#include "tap.h"
#include "ofnic_engine.h"

#define PICKS 200000

static void test_rates(void)
{
    struct ofnic_fault f = { .rate = { 0, 100, 200, 300, 400 } };
    unsigned int n[OFNIC_FAULT_NUM] = { 0 }, a, i;

    ofnic_fault_seed(&f, 42);
    ok(ofnic_fault_active(&f), "rates set: active");
    for (i = 0; i < PICKS; i++) {
        n[ofnic_fault_pick(&f)]++;
    }
    for (a = OFNIC_FAULT_DROP; a < OFNIC_FAULT_NUM; a++) {
        double want = (double)PICKS * f.rate[a] / OFNIC_FAULT_SCALE;

        ok(n[a] > want * 0.9 && n[a] < want * 1.1,
           "action %u: %u of %u picks, %.0f expected (within 10%%)", a, n[a], PICKS, want);
    }
    ok(n[OFNIC_FAULT_NONE] > PICKS * 0.88 && n[OFNIC_FAULT_NONE] < PICKS * 0.92,
       "untouched: %u of %u", n[OFNIC_FAULT_NONE], PICKS);
}

static void test_off_and_full(void)
{
    struct ofnic_fault f = { 0 };
    unsigned int i, other = 0;

    ofnic_fault_seed(&f, 0);
    ok(!ofnic_fault_active(&f), "no rates: inactive");
    for (i = 0; i < 10000; i++) {
        other += ofnic_fault_pick(&f) != OFNIC_FAULT_NONE;
    }
    is(other, 0, "no rates: every frame untouched");
    f.rate[OFNIC_FAULT_DROP] = OFNIC_FAULT_SCALE;
    for (i = 0, other = 0; i < 10000; i++) {
        other += ofnic_fault_pick(&f) != OFNIC_FAULT_DROP;
    }
    is(other, 0, "drop rate %u: every frame dropped", OFNIC_FAULT_SCALE);
}

static void test_repeatable(void)
{
    struct ofnic_fault a = { .rate = { 0, 500, 500, 500, 500 } }, b = a;
    unsigned int i, diff = 0;

    ofnic_fault_seed(&a, 7);
    ofnic_fault_seed(&b, 7);
    for (i = 0; i < 10000; i++) {
        diff += ofnic_fault_pick(&a) != ofnic_fault_pick(&b);
    }
    is(diff, 0, "same seed, same sequence");
    ofnic_fault_seed(&b, 8);
    for (i = 0, diff = 0; i < 10000; i++) {
        diff += ofnic_fault_pick(&a) != ofnic_fault_pick(&b);
    }
    ok(diff > 1000, "another seed, another sequence (%u of 10000 differ)", diff);
}

static void test_corrupt(void)
{
    struct ofnic_fault f = { 0 };
    uint8_t frame[256], orig[256];
    unsigned int i, j, bad = 0, flips;
    size_t off;

    ofnic_fault_seed(&f, 99);
    for (i = 0; i < sizeof(frame); i++) {
        orig[i] = (uint8_t)(i * 37);
    }
    for (i = 0; i < 5000; i++) {
        memcpy(frame, orig, sizeof(frame));
        off = ofnic_fault_corrupt(&f, frame, sizeof(frame));
        flips = 0;
        for (j = 0; j < sizeof(frame); j++) {
            flips += __builtin_popcount(frame[j] ^ orig[j]);
        }
        bad += flips != 1 || off < OFNIC_FAULT_CORRUPT_FROM || off >= sizeof(frame) ||
               frame[off] == orig[off];
    }
    is(bad, 0, "5000 corruptions: each one bit, past the first %d bytes",
       OFNIC_FAULT_CORRUPT_FROM);
    memcpy(frame, orig, sizeof(frame));
    is(ofnic_fault_corrupt(&f, frame, OFNIC_FAULT_CORRUPT_FROM), 0,
       "a frame of %d bytes is left alone", OFNIC_FAULT_CORRUPT_FROM);
    ok(!memcmp(frame, orig, sizeof(frame)), "...untouched");
}

int main(void)
{
    plan(14);
    test_rates();
    test_off_and_full();
    test_repeatable();
    test_corrupt();
    return done_testing();
}

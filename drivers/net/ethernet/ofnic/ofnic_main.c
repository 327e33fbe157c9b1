// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include "ofnic_hw.h"
MODULE_LICENSE("GPL");

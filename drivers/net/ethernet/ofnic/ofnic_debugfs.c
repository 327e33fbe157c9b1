// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: fault injection for tests, as netdevsim offers it. In /sys/kernel/debug/ofnic/<pci>/:
 *   fail_rx_alloc  the next N RX buffer allocations fail
 *   fail_up        the next N bring-ups of the data path fail (ofnic_up(), before any
 *                  buffer is posted), as a failed allocation would
 * Debian's kernels have no CONFIG_FAULT_INJECTION; these reach the same error paths.
 */
#include <linux/debugfs.h>

#include "ofnic.h"

static struct dentry *ofnic_dbg_root;

void ofnic_debugfs_init(void)
{
	ofnic_dbg_root = debugfs_create_dir(OFNIC_DRV_NAME, NULL);
}

void ofnic_debugfs_exit(void)
{
	debugfs_remove_recursive(ofnic_dbg_root);
}

void ofnic_debugfs_add(struct ofnic_priv *priv)
{
	priv->dbg = debugfs_create_dir(pci_name(priv->pdev), ofnic_dbg_root);
	debugfs_create_atomic_t("fail_rx_alloc", 0600, priv->dbg, &priv->fail_rx_alloc);
	debugfs_create_atomic_t("fail_up", 0600, priv->dbg, &priv->fail_up);
}

void ofnic_debugfs_remove(struct ofnic_priv *priv)
{
	debugfs_remove_recursive(priv->dbg);
	priv->dbg = NULL;
}

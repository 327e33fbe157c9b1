// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: fault injection for tests, as netdevsim offers it. In /sys/kernel/debug/ofnic/<pci>/:
 *   fail_rx_alloc  the next N RX buffer allocations fail
 *   fail_up        the next N bring-ups of the data path fail (ofnic_up(), before any
 *                  buffer is posted), as a failed allocation would
 *   ring_error     (write only) writing Q makes the driver write a TAIL past RX queue Q's
 *                  ring, as a driver bug would: the device stops the queue and reports it
 * Debian's kernels have no CONFIG_FAULT_INJECTION; these reach the same error paths.
 */
#include <linux/debugfs.h>
#include <linux/rtnetlink.h>

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

static ssize_t ofnic_dbg_ring_error_write(struct file *file, const char __user *buf,
					  size_t count, loff_t *ppos)
{
	struct ofnic_priv *priv = file->private_data;
	unsigned int q;
	int err;

	err = kstrtouint_from_user(buf, count, 0, &q);
	if (err)
		return err;
	rtnl_lock();
	if (!priv->up || q >= priv->num_queues)
		err = -EINVAL;
	else
		ofnic_wr32(priv, OFNIC_RXQ(q) + OFNIC_Q_TAIL, priv->qv[q].rx.size);
	rtnl_unlock();

	return err ?: count;
}

static const struct file_operations ofnic_dbg_ring_error_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= ofnic_dbg_ring_error_write,
	.llseek	= noop_llseek,
};

void ofnic_debugfs_add(struct ofnic_priv *priv)
{
	priv->dbg = debugfs_create_dir(pci_name(priv->pdev), ofnic_dbg_root);
	debugfs_create_atomic_t("fail_rx_alloc", 0600, priv->dbg, &priv->fail_rx_alloc);
	debugfs_create_atomic_t("fail_up", 0600, priv->dbg, &priv->fail_up);
	debugfs_create_file("ring_error", 0200, priv->dbg, priv, &ofnic_dbg_ring_error_fops);
}

void ofnic_debugfs_remove(struct ofnic_priv *priv)
{
	debugfs_remove_recursive(priv->dbg);
	priv->dbg = NULL;
}

// SPDX-License-Identifier: GPL-2.0
/* ofnic: MSI-X vectors, the misc interrupt and the queue interrupts */

#include <linux/interrupt.h>

#include "ofnic.h"

#define OFNIC_MISC_ENABLED	(OFNIC_MISC_LINK | OFNIC_MISC_QUEUE_ERR)

void ofnic_vec_arm(struct ofnic_priv *priv, u16 vec)
{
	ofnic_wr32(priv, OFNIC_REG_VEC_ARM(vec), OFNIC_VEC_ARM);
}

/*
 * Vector 0 for the misc interrupt and one per queue pair. If fewer vectors are granted,
 * fewer queue pairs are used.
 */
int ofnic_irq_init(struct ofnic_priv *priv)
{
	struct pci_dev *pdev = priv->pdev;
	unsigned int want;
	int nvec;

	want = min_t(unsigned int, ofnic_rd32(priv, OFNIC_REG_VECTORS),
		     priv->hw_queues + 1);
	if (want < 2) {
		dev_err(&pdev->dev, "device reports %u MSI-X vectors, need at least 2\n", want);
		return -ENODEV;
	}

	nvec = pci_alloc_irq_vectors(pdev, 2, want, PCI_IRQ_MSIX);
	if (nvec < 0) {
		dev_err(&pdev->dev, "cannot allocate MSI-X vectors: %d\n", nvec);
		return nvec;
	}
	if (nvec < want)
		dev_info(&pdev->dev, "%d of %u MSI-X vectors granted\n", nvec, want);

	priv->max_queues = nvec - 1;
	priv->misc_irq = pci_irq_vector(pdev, 0);

	return 0;
}

void ofnic_irq_fini(struct ofnic_priv *priv)
{
	pci_free_irq_vectors(priv->pdev);
}

static void ofnic_misc_handle(struct ofnic_priv *priv, u32 cause)
{
	u32 txc, rxc;
	u16 q;

	if (cause & OFNIC_MISC_LINK)
		ofnic_update_link(priv);

	if (cause & OFNIC_MISC_QUEUE_ERR) {
		for (q = 0; q < priv->max_queues; q++) {
			txc = ofnic_rd32(priv, OFNIC_TXQ(q) + OFNIC_Q_CTRL);
			rxc = ofnic_rd32(priv, OFNIC_RXQ(q) + OFNIC_Q_CTRL);
			if (((txc | rxc) & OFNIC_Q_CTRL_ERROR) && net_ratelimit())
				netdev_err(priv->netdev, "queue %u stopped on a ring error%s%s\n",
					   q, txc & OFNIC_Q_CTRL_ERROR ? " (TX)" : "",
					   rxc & OFNIC_Q_CTRL_ERROR ? " (RX)" : "");
		}
		ofnic_schedule_reset(priv);
	}
}

static irqreturn_t ofnic_misc_irq(int irq, void *data)
{
	struct ofnic_priv *priv = data;
	u32 cause;

	cause = ofnic_rd32(priv, OFNIC_REG_MISC_CAUSE);
	ofnic_wr32(priv, OFNIC_REG_MISC_CAUSE, cause);
	ofnic_misc_handle(priv, cause & OFNIC_MISC_ENABLED);

	ofnic_vec_arm(priv, 0);

	/*
	 * A cause raised between the read above and the re-arm may not fire the vector again:
	 * look once more. Handling an event twice is harmless.
	 */
	cause = ofnic_rd32(priv, OFNIC_REG_MISC_CAUSE) & OFNIC_MISC_ENABLED;
	if (cause) {
		ofnic_wr32(priv, OFNIC_REG_MISC_CAUSE, cause);
		ofnic_misc_handle(priv, cause);
	}

	return IRQ_HANDLED;
}

int ofnic_misc_irq_request(struct ofnic_priv *priv)
{
	int err;

	snprintf(priv->misc_name, sizeof(priv->misc_name), "%s-misc@%s",
		 OFNIC_DRV_NAME, pci_name(priv->pdev));
	err = request_irq(priv->misc_irq, ofnic_misc_irq, 0, priv->misc_name, priv);
	if (err) {
		dev_err(&priv->pdev->dev, "cannot request misc IRQ: %d\n", err);
		return err;
	}

	ofnic_misc_irq_enable(priv);

	return 0;
}

/* Route the device's events to vector 0 and arm it: at probe and after a device reset */
void ofnic_misc_irq_enable(struct ofnic_priv *priv)
{
	ofnic_wr32(priv, OFNIC_REG_MISC_VECTOR, 0);
	ofnic_wr32(priv, OFNIC_REG_MISC_CAUSE, ofnic_rd32(priv, OFNIC_REG_MISC_CAUSE));
	ofnic_wr32(priv, OFNIC_REG_MISC_MASK, OFNIC_MISC_ENABLED);
	ofnic_vec_arm(priv, 0);
}

void ofnic_misc_irq_free(struct ofnic_priv *priv)
{
	ofnic_wr32(priv, OFNIC_REG_MISC_MASK, 0);
	ofnic_rd32(priv, OFNIC_REG_MISC_MASK);
	synchronize_irq(priv->misc_irq);
	free_irq(priv->misc_irq, priv);
}

static irqreturn_t ofnic_queue_irq(int irq, void *data)
{
	struct ofnic_q_vector *qv = data;

	qv->events++;
	napi_schedule_irqoff(&qv->napi);

	return IRQ_HANDLED;
}

/* At ndo_open, when the interface name is known: "<ifname>-<queue>" */
int ofnic_queue_irqs_request(struct ofnic_priv *priv)
{
	struct ofnic_q_vector *qv;
	int err;
	u16 i;

	for (i = 0; i < priv->num_queues; i++) {
		qv = &priv->qv[i];
		snprintf(qv->name, sizeof(qv->name), "%s-%u", priv->netdev->name, i);
		qv->irq = pci_irq_vector(priv->pdev, qv->vec);
		err = request_irq(qv->irq, ofnic_queue_irq, 0, qv->name, qv);
		if (err) {
			netdev_err(priv->netdev, "cannot request IRQ %s: %d\n", qv->name, err);
			ofnic_queue_irqs_free(priv);
			return err;
		}
		qv->irq_requested = true;
		netif_napi_set_irq(&qv->napi, qv->irq);
	}

	return 0;
}

void ofnic_queue_irqs_free(struct ofnic_priv *priv)
{
	struct ofnic_q_vector *qv;
	u16 i;

	for (i = 0; i < priv->num_queues; i++) {
		qv = &priv->qv[i];
		if (!qv->irq_requested)
			continue;
		netif_napi_set_irq(&qv->napi, -1);
		free_irq(qv->irq, qv);
		qv->irq_requested = false;
	}
}

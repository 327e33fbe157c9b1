// SPDX-License-Identifier: GPL-2.0
/*
 * ofnic: the UDP tunnel port table. The core's udp_tunnel_nic keeps the ports of the VXLAN
 * and GENEVE devices in the system (one shared table of OFNIC_TUNNEL_PORTS entries) and
 * calls back as they come and go, or as rx-udp_tunnel-port-offload is switched; each entry
 * is one register. The device needs the table on RX only (inner checksums, inner RSS): TX
 * tunnel offloads are described per packet by the context descriptor.
 *
 * The table lives in the device across ofnic_down()/ofnic_up() (only a device reset clears
 * it, and the driver resets the device only before registering and after unregistering),
 * so the ports stay programmed while the interface is down.
 */

#include <linux/bitfield.h>
#include <net/udp_tunnel.h>

#include "ofnic.h"

static u32 ofnic_tunnel_entry(const struct udp_tunnel_info *ti)
{
	u32 type = ti->type == UDP_TUNNEL_TYPE_GENEVE ? OFNIC_TUNNEL_TYPE_GENEVE :
						     OFNIC_TUNNEL_TYPE_VXLAN;

	return FIELD_PREP(OFNIC_TUNNEL_PORT_MASK, be16_to_cpu(ti->port)) |
	       FIELD_PREP(OFNIC_TUNNEL_TYPE_MASK, type);
}

static int ofnic_tunnel_set_port(struct net_device *netdev, unsigned int table,
				 unsigned int entry, struct udp_tunnel_info *ti)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	ofnic_wr32(priv, OFNIC_REG_TUNNEL_PORT(entry), ofnic_tunnel_entry(ti));

	return 0;
}

static int ofnic_tunnel_unset_port(struct net_device *netdev, unsigned int table,
				   unsigned int entry, struct udp_tunnel_info *ti)
{
	struct ofnic_priv *priv = netdev_priv(netdev);

	ofnic_wr32(priv, OFNIC_REG_TUNNEL_PORT(entry), 0);

	return 0;
}

static const struct udp_tunnel_nic_info ofnic_udp_tunnels_vxlan = {
	.set_port	= ofnic_tunnel_set_port,
	.unset_port	= ofnic_tunnel_unset_port,
	.tables		= {
		{
			.n_entries	= OFNIC_TUNNEL_PORTS,
			.tunnel_types	= UDP_TUNNEL_TYPE_VXLAN,
		},
	},
};

static const struct udp_tunnel_nic_info ofnic_udp_tunnels_geneve = {
	.set_port	= ofnic_tunnel_set_port,
	.unset_port	= ofnic_tunnel_unset_port,
	.tables		= {
		{
			.n_entries	= OFNIC_TUNNEL_PORTS,
			.tunnel_types	= UDP_TUNNEL_TYPE_VXLAN | UDP_TUNNEL_TYPE_GENEVE,
		},
	},
};

/*
 * Before register_netdev(): the core then adds NETIF_F_RX_UDP_TUNNEL_PORT to the features
 * (on by default), which ofnic_set_features_hw() maps to OFNIC_OFFLOAD_TUNNEL_RX.
 */
void ofnic_tunnel_init(struct ofnic_priv *priv)
{
	unsigned int n;

	if (!(priv->caps & OFNIC_CAP_TUNNEL_PORTS) || !(priv->caps & OFNIC_CAP_TUNNEL_RX))
		return;

	/* after a reset the table is empty; say so rather than trust it */
	for (n = 0; n < OFNIC_TUNNEL_PORTS; n++)
		ofnic_wr32(priv, OFNIC_REG_TUNNEL_PORT(n), 0);

	priv->netdev->udp_tunnel_nic_info = priv->caps & OFNIC_CAP_GENEVE ?
					    &ofnic_udp_tunnels_geneve :
					    &ofnic_udp_tunnels_vxlan;
}

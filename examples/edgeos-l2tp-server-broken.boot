/* An EdgeRouter L2TP/IPsec server set up from a blog post (the classic mistake): rule 30 accepts UDP 1701 */
/* without "ipsec { match-ipsec }", so anyone can open a cleartext L2TP session on the WAN address. */
firewall {
    name WAN_LOCAL {
        default-action drop
        description "WAN to router"
        rule 10 {
            action accept
            description "Allow established/related"
            state {
                established enable
                related enable
            }
        }
        rule 20 {
            action accept
            description IKE
            destination {
                port 500
            }
            protocol udp
        }
        rule 30 {
            action accept
            description L2TP
            destination {
                port 1701
            }
            protocol udp
        }
        rule 40 {
            action accept
            description ESP
            protocol esp
        }
        rule 50 {
            action accept
            description NAT-T
            destination {
                port 4500
            }
            protocol udp
        }
    }
}
interfaces {
    ethernet eth0 {
        address 203.0.113.2/24
        description Internet
        firewall {
            local {
                name WAN_LOCAL
            }
        }
    }
    ethernet eth1 {
        address 192.168.1.1/24
        description LAN
    }
}
vpn {
    ipsec {
        ipsec-interfaces {
            interface eth0
        }
        nat-traversal enable
    }
    l2tp {
        remote-access {
            authentication {
                mode local
            }
            client-ip-pool {
                start 192.168.100.10
                stop 192.168.100.50
            }
            ipsec-settings {
                authentication {
                    mode pre-shared-secret
                    pre-shared-secret example-only
                }
            }
            outside-address 203.0.113.2
        }
    }
}
/* Warning: Do not remove the following line. */
/* === vyatta-config-version: "firewall@5:ipsec@5:nat@3:system@4:ubnt-util@1" === */
/* Release version: v2.0.9-hotfix.7.5622731.230615.0857 */

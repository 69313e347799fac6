/* A VyOS 1.3 gateway in front of an L2TP/IPsec server (192.168.1.10). It forwards UDP 500 and 4500 (needed), */
/* but also ESP (needless: the clients sit behind NAT, so ESP travels inside UDP 4500) and UDP 1701 (cleartext */
/* L2TP reaches the server from the internet, outside IPsec). */
firewall {
    name WAN_IN {
        default-action drop
        rule 10 {
            action accept
            state {
                established enable
                related enable
            }
        }
        rule 20 {
            action accept
            destination {
                address 192.168.1.10
                port 500,4500,1701
            }
            protocol udp
        }
        rule 30 {
            action accept
            destination {
                address 192.168.1.10
            }
            protocol esp
        }
    }
    name WAN_LOCAL {
        default-action drop
        rule 10 {
            action accept
            state {
                established enable
                related enable
            }
        }
    }
}
interfaces {
    ethernet eth0 {
        address 203.0.113.2/24
        firewall {
            in {
                name WAN_IN
            }
            local {
                name WAN_LOCAL
            }
        }
    }
    ethernet eth1 {
        address 192.168.1.1/24
    }
}
nat {
    destination {
        rule 10 {
            destination {
                port 500,4500
            }
            inbound-interface eth0
            protocol udp
            translation {
                address 192.168.1.10
            }
        }
        rule 20 {
            inbound-interface eth0
            protocol esp
            translation {
                address 192.168.1.10
            }
        }
        rule 30 {
            destination {
                port 1701
            }
            inbound-interface eth0
            protocol udp
            translation {
                address 192.168.1.10
            }
        }
    }
    source {
        rule 100 {
            outbound-interface eth0
            source {
                address 192.168.1.0/24
            }
            translation {
                address masquerade
            }
        }
    }
}
// Warning: Do not remove the following line.
// vyos-config-version: "firewall@5:nat@5:system@20"
// Release version: 1.3.4

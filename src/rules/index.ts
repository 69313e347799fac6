// The catalogue: every check, in id order. A rule missing here is missing everywhere (meta test).

import type { RuleMeta } from "../model/finding.js";
import type { RuleDefinition } from "./define.js";
import ikeBlocked from "./VPN001-ike-blocked.js";
import natTBlocked from "./VPN002-nat-t-blocked.js";
import espBlocked from "./VPN003-esp-blocked.js";
import l2tpWithoutIpsec from "./VPN004-l2tp-without-ipsec.js";
import espForwardedBehindNat from "./VPN005-esp-forwarded-behind-nat.js";
import l2tpForwarded from "./VPN006-l2tp-forwarded.js";
import portForwardBlocked from "./VPN007-port-forward-blocked.js";
import vpnRuleShadowed from "./VPN008-vpn-rule-shadowed.js";
import pptpExposed from "./VPN009-pptp-exposed.js";
import firewallNotApplied from "./VPN010-firewall-not-applied.js";
import masqueradeCatchesTunnel from "./VPN011-masquerade-catches-tunnel.js";
import vpnClientsNoForward from "./VPN012-vpn-clients-no-forward.js";
import policyDirInvalid from "./VPN013-policy-dir-invalid.js";
import ipv4Ipv6Disagree from "./VPN014-ipv4-ipv6-disagree.js";
import noMssClamping from "./VPN015-no-mss-clamping.js";
import l2tpEstablishedCleartext from "./VPN016-l2tp-established-cleartext.js";
import endpointUnfiltered from "./VPN017-endpoint-unfiltered.js";
import { syntaxError } from "./syntax-error.js";
import { unusedSuppression } from "./unused-suppression.js";

export const checks: readonly RuleDefinition[] = [
  ikeBlocked,
  natTBlocked,
  espBlocked,
  l2tpWithoutIpsec,
  espForwardedBehindNat,
  l2tpForwarded,
  portForwardBlocked,
  vpnRuleShadowed,
  pptpExposed,
  firewallNotApplied,
  masqueradeCatchesTunnel,
  vpnClientsNoForward,
  policyDirInvalid,
  ipv4Ipv6Disagree,
  noMssClamping,
  l2tpEstablishedCleartext,
  endpointUnfiltered,
];

/** Every id that can appear in a report: VPN000 (front ends), the checks, VPN100 (the suppression pass). */
export const ruleCatalogue: readonly RuleMeta[] = [syntaxError, ...checks, unusedSuppression];

export function findRule(id: string): RuleMeta | undefined {
  return ruleCatalogue.find((rule) => rule.id === id.toUpperCase());
}

import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';
import { InvalidInputError, quoted } from '../common/invalid-input.error';

const MAX_URL_LENGTH = 2_048;

/**
 * An address a production endpoint may resolve to: public unicast only. ipaddr.js names every
 * other range (loopback, private, link-local — where cloud metadata lives —, CGNAT, unique
 * local, multicast, reserved, IPv4-mapped and NAT64 forms of them); IPv4-mapped IPv6 is
 * judged as the IPv4 address it carries.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** The host of a URL as `net` and DNS take it: IPv6 literals without their brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * The endpoint URL an operator may register, normalized. Without `allowPrivateTargets`
 * (production): `https` only, and no literal address or `localhost` name that is not public.
 * A name's resolved addresses are checked at every attempt, when they matter (WebhookSender).
 */
export function checkEndpointUrl(raw: string, allowPrivateTargets: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidInputError(`${quoted(raw)} is not an absolute URL, like https://partner.example.com/charthero/webhooks`);
  }
  if (raw.length > MAX_URL_LENGTH) throw new InvalidInputError(`the URL is longer than ${MAX_URL_LENGTH} characters`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidInputError(`the URL must be ${allowPrivateTargets ? 'http or https' : 'https'}, got ${quoted(url.protocol)}`);
  }
  if (url.username !== '' || url.password !== '') throw new InvalidInputError('the URL must not carry credentials: the signature authenticates us to the receiver');
  if (url.hash !== '') throw new InvalidInputError('the URL must not have a #fragment');
  if (allowPrivateTargets) return url.href;

  if (url.protocol !== 'https:') throw new InvalidInputError('the URL must be https (WEBHOOK_ALLOW_PRIVATE_TARGETS is off)');
  const host = hostOf(url);
  const literal = isIP(host) !== 0;
  if ((literal && !isPublicAddress(host)) || host === 'localhost' || host.endsWith('.localhost')) {
    throw new InvalidInputError(`${quoted(host)} is not a public address (WEBHOOK_ALLOW_PRIVATE_TARGETS is off)`);
  }
  return url.href;
}

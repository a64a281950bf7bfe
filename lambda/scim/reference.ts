import { invalidValue } from './errors';
import type { AttributeDef } from './schema/types';

/**
 * Values of reference attributes (RFC 7643 §2.3.7): "A reference URI MUST be to an
 * HTTP-addressable resource." What a client may send, by the attribute's referenceTypes (§7):
 *
 * - `external` (profileUrl, photos.value): an absolute http or https URL. A console or a
 *   downstream app renders these as links and images: `javascript:`, `data:`, `file:` and the
 *   like are 400 invalidValue.
 * - `uri`: the same, or a URN (RFC 8141, `urn:<nid>:<nss>`), the identifiers the schema names
 *   (a schema URN).
 * - a resource type (`User`, `Group`: members.$ref, manager.$ref): an absolute http(s) URL, or
 *   a relative reference resolved against the Base URL as §2.3.7 allows (`../Users/<id>`), but
 *   not one naming another host (`//host/...`).
 *
 * Any reference with white space or a control character is refused: a URI has none (RFC 3986
 * §2), and a URL parser silently drops some (`java\tscript:`), so the text checked would not
 * be the text stored.
 */
export function checkReference(def: AttributeDef, value: string, path: string): string {
  if (FORBIDDEN.test(value)) throw refused(path, 'it contains white space or a control character');
  const types = def.referenceTypes ?? [];
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    if (!hasHost(value)) throw refused(path, 'it is not an absolute http(s) URL with a host');
    return value;
  }
  if (scheme === 'urn' && types.includes('uri') && URN.test(value)) return value;
  const external = types.length === 0 || types.includes('external') || types.includes('uri');
  if (scheme === undefined && !external && !value.startsWith('//')) return value; // relative, to a SCIM resource
  const allowed = types.includes('uri') ? 'an absolute http(s) URL or a URN' : external ? 'an absolute http(s) URL' : 'an http(s) URL or a reference relative to the Base URL';
  throw refused(path, `it must be ${allowed}${scheme ? `, not a "${scheme}:" URI` : ''}`);
}

/** RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
/** RFC 8141: "urn:" NID ":" NSS, the NID 2 to 32 letters, digits and hyphens, not starting with one. */
const URN = /^urn:[a-z0-9][a-z0-9-]{1,31}:[^\s]+$/i;
const FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f]/u;

function hasHost(value: string): boolean {
  if (!/^https?:\/\/[^/]/i.test(value)) return false;
  try {
    return new URL(value).host !== '';
  } catch {
    return false;
  }
}

const refused = (path: string, why: string) => invalidValue(`"${path}" is not a reference this server accepts: ${why} (RFC 7643 §2.3.7).`);

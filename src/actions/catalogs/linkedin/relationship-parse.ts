// Reads Voyager's identity/dash/profiles?q=memberIdentity answer: the member's profile URN and
// name, and the viewer's relation to them (connected, invitation pending, neither, or self).
import { clean, isObj, type Json, list, str } from './profile-values.js';

export type Relation = 'connected' | 'pending' | 'none' | 'self';

export interface MemberRelation {
  /** urn:li:fsd_profile:…, what an invitation names as its invitee. */
  profileUrn: string;
  name?: string;
  relation: Relation;
}

/** The dash MemberRelationship union: `connection`, `noConnection` (maybe with an invitation), `self`. */
function relationOf(entity: Json | undefined): Relation {
  const union =
    entity &&
    (isObj(entity.memberRelationshipUnion)
      ? entity.memberRelationshipUnion
      : isObj(entity.memberRelationship)
        ? entity.memberRelationship
        : undefined);
  if (!union) return 'none';
  if (isObj(union.connection)) return 'connected';
  if (isObj(union.self)) return 'self';
  const none = isObj(union.noConnection) ? union.noConnection : {};
  const invitation = isObj(none.invitationUnion) ? none.invitationUnion.invitation : undefined;
  return isObj(invitation) && invitation.invitationState === 'PENDING' ? 'pending' : 'none';
}

/**
 * The profile whose `publicIdentifier` is `slug` (LinkedIn matches it case-insensitively), or
 * undefined when the answer names no such member.
 */
export function parseMemberRelation(body: unknown, slug: string): MemberRelation | undefined {
  if (!isObj(body)) return undefined;
  const byUrn = new Map<string, Json>();
  for (const entity of list(body.included)) {
    if (isObj(entity) && typeof entity.entityUrn === 'string') byUrn.set(entity.entityUrn, entity);
  }
  const wanted = decodeURIComponent(slug).toLowerCase();
  const profile = [...byUrn.values()].find(
    (e) =>
      String(e.$type).endsWith('.Profile') &&
      str(e.publicIdentifier)?.toLowerCase() === wanted &&
      str(e.entityUrn)?.startsWith('urn:li:fsd_profile:'),
  );
  if (!profile) return undefined;
  const name = clean([str(profile.firstName), str(profile.lastName)].filter(Boolean).join(' '));
  return {
    profileUrn: String(profile.entityUrn),
    ...(name ? { name } : {}),
    relation: relationOf(byUrn.get(String(profile['*memberRelationship']))),
  };
}

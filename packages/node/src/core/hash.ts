/**
 * The ring's hash lives in @ringkv/protocol, so nodes, the client's ring-aware routing and the dashboard's
 * locate-key all place a key with the same code and can never disagree.
 */
export { hashString, keyToken, murmur3, murmur3Words } from '@ringkv/protocol';

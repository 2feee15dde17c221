"""
Writes test/wire/vectors.json, the golden vectors of wire format version 1 (docs/wire.md).

An encoder independent of cbor-x and of our TypeScript code, written from RFC 8949 and the
encoding rules of docs/wire.md, so that the golden test compares two implementations.
Python 3 standard library only:  python3 test/wire/make-vectors.py > test/wire/vectors.json
"""
import hashlib, json, struct

def sha1(s): return hashlib.sha1(s.encode()).digest()
def head(major, n):
    if n < 24: return bytes([major << 5 | n])
    if n < 0x100: return bytes([major << 5 | 24, n])
    if n < 0x10000: return bytes([major << 5 | 25]) + n.to_bytes(2, 'big')
    if n < 0x100000000: return bytes([major << 5 | 26]) + n.to_bytes(4, 'big')
    return bytes([major << 5 | 27]) + n.to_bytes(8, 'big')
def enc(v):
    if v is True: return b'\xf5'
    if v is False: return b'\xf4'
    if isinstance(v, bytes): return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode('utf-8'); return head(3, len(b)) + b
    if isinstance(v, list): return head(4, len(v)) + b''.join(enc(x) for x in v)
    if isinstance(v, float) and v.is_integer() and -2**32 <= v < 2**32: v = int(v)
    if isinstance(v, int) and -2**32 <= v < 2**32:
        return head(0, v) if v >= 0 else head(1, -1 - v)
    return b'\xfb' + struct.pack('>d', float(v))
rpc = bytes(range(20)); sender = sha1('probe-node'); key = sha1('my-key'); target = sha1('probe-target')
p1 = sha1('peer-1'); p2 = sha1('peer-2')
DAY = 86400000
def val(v):
    if isinstance(v, bytes): return {'bytes': v.hex()}
    if isinstance(v, str): return {'text': v}
    if isinstance(v, bool): return {'boolean': v}
    return {'number': v}
H = lambda m: {'rpcId': rpc.hex(), 'sender': sender.hex(), **m}
vectors = []
def add(name, msg, arr):
    vectors.append({'name': name, 'message': msg, 'hex': enc(arr).hex()})
add('ping', H({'_tag': 'Ping'}), [1, 0, rpc, sender])
add('pong', H({'_tag': 'Pong'}), [1, 1, rpc, sender])
for name, v in [('bytes', bytes([0, 0xff, 0x10])), ('text', 'hello'), ('text-unicode', 'h\u00e9llo \u6f22\U0001F600'),
                ('integer', 42), ('negative-integer', -7), ('uint32', 4294967295), ('large-integer', 2**40),
                ('negative-int32', -4294967296), ('float', 1.5), ('float-tiny', 5e-324), ('true', True), ('false', False),
                ('empty-bytes', b''), ('empty-text', '')]:
    add('store-' + name, H({'_tag': 'Store', 'key': key.hex(), 'value': val(v), 'ttl': DAY}), [1, 2, rpc, sender, key, v, DAY])
add('store-ttl-zero', H({'_tag': 'Store', 'key': key.hex(), 'value': val('v'), 'ttl': 0}), [1, 2, rpc, sender, key, 'v', 0])
add('store-ttl-large', H({'_tag': 'Store', 'key': key.hex(), 'value': val('v'), 'ttl': 2**53 - 1}), [1, 2, rpc, sender, key, 'v', 2**53 - 1])
add('stored', H({'_tag': 'Stored'}), [1, 3, rpc, sender])
add('find-node', H({'_tag': 'FindNode', 'target': target.hex()}), [1, 4, rpc, sender, target])
add('nodes-empty', H({'_tag': 'Nodes', 'contacts': []}), [1, 5, rpc, sender, []])
add('nodes-two', H({'_tag': 'Nodes', 'contacts': [{'id': p1.hex(), 'address': '127.0.0.1:4001'}, {'id': p2.hex(), 'address': '[::1]:4002'}]}),
    [1, 5, rpc, sender, [[p1, '127.0.0.1:4001'], [p2, '[::1]:4002']]])
add('find-value', H({'_tag': 'FindValue', 'key': key.hex()}), [1, 6, rpc, sender, key])
add('value-found-text', H({'_tag': 'ValueFound', 'value': val('my-value'), 'ttl': 3600000}), [1, 7, rpc, sender, 'my-value', 3600000])
add('value-found-bytes', H({'_tag': 'ValueFound', 'value': val(bytes(range(32))), 'ttl': DAY}), [1, 7, rpc, sender, bytes(range(32)), DAY])
add('value-found-float', H({'_tag': 'ValueFound', 'value': val(-0.1), 'ttl': 1}), [1, 7, rpc, sender, -0.1, 1])

ping = enc([1, 0, rpc, sender])
def raw(n, *items):
    """An array of n elements written item by item (for bytes no valid message encodes to)."""
    return head(4, n) + b''.join(items)
hdr7 = lambda: enc(1) + enc(7) + enc(rpc) + enc(sender)
F = lambda path: {'_tag': 'InvalidField', 'path': path}
M = {'_tag': 'Malformed'}
rejects = [
  ('empty', b'', {'_tag': 'Empty'}),
  ('unknown-version', enc([2, 0, rpc, sender]), {'_tag': 'UnknownVersion', 'version': 2}),
  ('unknown-version-short', enc([0]), {'_tag': 'UnknownVersion', 'version': 0}),
  ('unknown-type', enc([1, 8, rpc, sender]), {'_tag': 'UnknownType', 'code': 8}),
  ('version-as-text', enc(['1', 0, rpc, sender]), F('$.version')),
  ('type-negative', enc([1, -1, rpc, sender]), F('$.type')),
  ('sender-19-bytes', enc([1, 0, rpc, sender[:19]]), F('$.sender')),
  ('rpc-id-21-bytes', enc([1, 0, rpc + b'\x14', sender]), F('$.rpcId')),
  ('sender-as-text', enc([1, 0, rpc, 'x' * 20]), F('$.sender')),
  ('ping-extra-element', enc([1, 0, rpc, sender, 0]), F('$')),
  ('store-missing-ttl', enc([1, 2, rpc, sender, key, 'v']), F('$')),
  ('store-nan', raw(7, enc(1), enc(2), enc(rpc), enc(sender), enc(key), b'\xfb' + struct.pack('>d', float('nan')), enc(DAY)), F('$.value')),
  ('value-infinity-float32', raw(6, hdr7(), b'\xfa\x7f\x80\x00\x00', enc(1)), F('$.value')),
  ('value-null', raw(6, hdr7(), b'\xf6', enc(1)), F('$.value')),
  ('value-map', raw(6, hdr7(), b'\xa1\x61a\x01', enc(1)), F('$.value')),
  ('value-array', enc([1, 7, rpc, sender, [1], 1]), F('$.value')),
  ('ttl-negative', enc([1, 2, rpc, sender, key, 'v', -1]), F('$.ttl')),
  ('ttl-fraction', enc([1, 2, rpc, sender, key, 'v', 0.5]), F('$.ttl')),
  ('contact-address-too-long', enc([1, 5, rpc, sender, [[p1, 'a' * 65]]]), F('$.contacts[0].address')),
  ('contact-address-empty', enc([1, 5, rpc, sender, [[p1, '']]]), F('$.contacts[0].address')),
  ('contact-id-short', enc([1, 5, rpc, sender, [[p1, 'a:1'], [p2[:10], 'b:2']]]), F('$.contacts[1].id')),
  ('contact-triple', enc([1, 5, rpc, sender, [[p1, '127.0.0.1', 4001]]]), F('$.contacts[0]')),
  ('too-many-contacts', enc([1, 5, rpc, sender, [[p1, 'a:1']] * 65]), F('$.contacts')),
  ('not-an-array', enc('ping'), F('$')),
  ('trailing-byte', ping + b'\x00', M),
  ('truncated', ping[:-1], M),
  ('tagged-byte-string', raw(4, enc(1), enc(0), b'\xd8\x40' + enc(rpc), enc(sender)), M),
  ('indefinite-array', b'\x9f' + enc(1) + enc(0) + enc(rpc) + enc(sender) + b'\xff', M),
  ('invalid-utf8', raw(6, hdr7(), b'\x62\xc3\x28', enc(1)), M),
  ('utf8-encoded-surrogate', raw(6, hdr7(), b'\x63\xed\xa0\x80', enc(1)), M),
  ('simple-value', raw(6, hdr7(), b'\xe0', enc(1)), M),
  ('too-deep', enc([1, 5, rpc, sender, [[p1, ['a']]]]), M),
]
out = [{'name': n, 'hex': b.hex(), 'error': e} for n, b, e in rejects]
doc = {
  '_comment': 'Golden vectors of wire format version 1 (docs/wire.md). Written by an encoder independent of cbor-x, from RFC 8949. '
              'Ids: rpcId 000102..13, sender sha1("probe-node"), key sha1("my-key"), target sha1("probe-target"), contacts sha1("peer-1"), sha1("peer-2"). '
              'Values: {bytes: hex} | {text} | {number} | {boolean}; ttl in milliseconds.',
  'vectors': vectors, 'rejects': out}
print(json.dumps(doc, indent=2, ensure_ascii=False))

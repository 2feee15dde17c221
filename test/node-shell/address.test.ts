import { describe, expect, it } from 'vitest'
import { NetAddress } from '@kademlia-ts/node-shell'

const right = <A>(right: A): { readonly _tag: 'Right'; readonly right: A } => ({ _tag: 'Right', right })
const isLeft = <L, R>(e: { readonly _tag: 'Left'; readonly left: L } | { readonly _tag: 'Right'; readonly right: R }): e is { readonly _tag: 'Left'; readonly left: L } => e._tag === 'Left'
const isRight = <L, R>(e: { readonly _tag: 'Left'; readonly left: L } | { readonly _tag: 'Right'; readonly right: R }): e is { readonly _tag: 'Right'; readonly right: R } => e._tag === 'Right'

describe('NetAddress', () => {
  it('parses IPv4 and IPv6 host:port and formats them back canonically', () => {
    expect(NetAddress.parse('127.0.0.1:4000')).toEqual(right({ host: '127.0.0.1', port: 4000, family: 4 }))
    expect(NetAddress.parse('[::1]:4000')).toEqual(right({ host: '::1', port: 4000, family: 6 }))
    const long = NetAddress.parse('[0:0:0:0:0:0:0:1]:7')
    expect(long).toEqual(right({ host: '::1', port: 7, family: 6 }))
    expect(NetAddress.parse('[FE80::A]:9')).toEqual(right({ host: 'fe80::a', port: 9, family: 6 }))
    expect(NetAddress.toAddress({ host: '::1', port: 4000, family: 6 })).toBe('[::1]:4000')
    expect(NetAddress.toAddress({ host: '10.0.0.1', port: 1, family: 4 })).toBe('10.0.0.1:1')
  })

  it('refuses what is not an IP literal with a port', () => {
    for (const bad of ['', '127.0.0.1', '127.0.0.1:', ':4000', '127.0.0.1:65536', '127.0.0.1:-1', '::1:4000', '[::1]', 'localhost:4000', '1.2.3:4', '[127.0.0.1]x:1', '256.0.0.1:1'])
      expect(isLeft(NetAddress.parse(bad)), bad).toBe(true)
  })

  it('accepts the three input shapes of the API', () => {
    expect(NetAddress.hostPort(['127.0.0.1', 5])).toEqual(right({ host: '127.0.0.1', port: 5 }))
    expect(NetAddress.hostPort({ host: '::1', port: 5 })).toEqual(right({ host: '::1', port: 5 }))
    expect(NetAddress.hostPort('[::1]:5')).toEqual(right({ host: '::1', port: 5 }))
    expect(isLeft(NetAddress.hostPort(['127.0.0.1', 5.5]))).toBe(true)
    expect(isLeft(NetAddress.hostPort(42))).toBe(true)
    expect(isLeft(NetAddress.hostPort({ host: 1, port: 1 }))).toBe(true)
  })

  it('resolves localhost through the system resolver and refuses unknown names', async () => {
    const r = await NetAddress.resolve('localhost:1234')
    expect(isRight(r) && r.right.port === 1234 && ['127.0.0.1', '::1'].includes(r.right.host)).toBe(true)
    expect(isLeft(await NetAddress.resolve('no-such-host.invalid:1'))).toBe(true)
  })

  it('maps a datagram source (rinfo) to the same address we send to', () => {
    expect(NetAddress.fromRemote({ address: '127.0.0.1', port: 9, family: 'IPv4' })).toBe('127.0.0.1:9')
    expect(NetAddress.fromRemote({ address: '::1', port: 9, family: 'IPv6' })).toBe('[::1]:9')
    expect(NetAddress.toEndpoint(NetAddress.fromRemote({ address: '::1', port: 9, family: 'IPv6' }))).toEqual({ host: '::1', port: 9, family: 6 })
  })

  it('will not send to port 0 or to labels that are not addresses', () => {
    expect(NetAddress.toEndpoint('127.0.0.1:0' as never)).toBeUndefined()
    expect(NetAddress.toEndpoint('node-17' as never)).toBeUndefined()
  })
})

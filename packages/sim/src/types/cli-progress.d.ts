// The few parts of cli-progress 3 the simulator uses (its own typings are not installed here).
declare module 'cli-progress' {
  interface Options {
    format?: string
    stream?: NodeJS.WritableStream
    hideCursor?: boolean
    etaBuffer?: number
  }
  interface Preset {
    readonly barCompleteChar: string
    readonly barIncompleteChar: string
  }
  interface SingleBar {
    start(total: number, start: number, payload?: Record<string, unknown>): void
    update(value: number, payload?: Record<string, unknown>): void
    stop(): void
  }
  const cliProgress: {
    readonly SingleBar: new (options: Options, preset?: Preset) => SingleBar
    readonly Presets: { readonly shades_classic: Preset }
  }
  export default cliProgress
}

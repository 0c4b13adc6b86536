/** Types for @echogarden/pffft-wasm (PFFFT compiled by Emscripten; the package ships none). */
declare module '@echogarden/pffft-wasm/simd' {
  export interface PffftModule {
    HEAPF32: Float32Array;
    _pffft_new_setup(n: number, transform: number): number;
    _pffft_destroy_setup(setup: number): void;
    _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: number): void;
    _pffft_aligned_malloc(bytes: number): number;
    _pffft_aligned_free(pointer: number): void;
  }
  const load: (moduleArg?: object) => Promise<PffftModule>;
  export default load;
}
declare module '@echogarden/pffft-wasm' {
  import load from '@echogarden/pffft-wasm/simd';
  export default load;
}

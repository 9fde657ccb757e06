// Compiled with a library that has no Float16Array (tsconfig.old-lib.json,
// lib es2022): the declarations must not need it. Type-checked, never run.
import { RingBuffer, Queue } from 'shmkit';
import type { Float16ArrayIfAny, TypedArrayType } from 'shmkit';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): void {}

assertType<Equal<Float16ArrayIfAny, never>>();
assertType<Equal<Extract<TypedArrayType, Float64Array>, Float64Array>>();
const ring: RingBuffer<Float64Array> = new RingBuffer(Float64Array, 8);
const queue: Queue<BigInt64Array> = new Queue(BigInt64Array, 8);
export const values: [number | undefined, bigint | undefined] = [ring.tryPop(), queue.tryPop()];

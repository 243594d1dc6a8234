/**
 * `deno task fuzz [seconds]`: fuzzes the RESP decoder from fresh seeds until the time is up
 * (default 60 s), printing each seed it ran; a failure names its seed and round, so
 * `fuzzDecoder(seed, rounds)` replays it.
 * @module
 */
import { fuzzDecoder } from "../tests/_harness/resp_fuzz.ts";

const seconds = Number(Deno.args[0] ?? 60);
if (!(seconds > 0)) {
  throw new TypeError(`fuzz: seconds must be a positive number, got ${Deno.args[0]}`);
}
const end = performance.now() + seconds * 1000;
let rounds = 0;
let values = 0;
let protocolErrors = 0;
while (performance.now() < end) {
  const seed = Math.floor(Math.random() * 2 ** 31);
  const f = fuzzDecoder(seed, 5000);
  rounds += f.rounds;
  values += f.values;
  protocolErrors += f.protocolErrors;
  console.log(
    `seed ${seed}: ${f.rounds} rounds, ${f.values} values, ${f.protocolErrors} ProtocolErrors`,
  );
}
console.log(
  `fuzz: ${rounds} rounds, ${values} values, ${protocolErrors} ProtocolErrors, no other outcome`,
);

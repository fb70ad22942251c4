// Opens many concurrent streaming chat completions and checks that every one arrives whole.
// Node 20, no packages. Usage:
//   node streams.mjs --url http://127.0.0.1:PORT --model NAME [--token T] [--count 200]
//                    [--stats http://127.0.0.1:PORT/__stats] [--timeout-s 60]
// The last line is "result: <count> <complete> <failed> <wall ms>" for scripts.
// Exit status: 0 when every stream ended with [DONE] and carried the same text, 1 otherwise.
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
    options: {
        url: { type: 'string' },
        model: { type: 'string' },
        token: { type: 'string', default: '' },
        count: { type: 'string', default: '200' },
        stats: { type: 'string', default: '' },
        'timeout-s': { type: 'string', default: '60' },
    },
});
if (!args.url || !args.model) {
    console.error('streams.mjs: --url and --model are required');
    process.exit(2);
}
const count = Number(args.count);
const timeoutMs = Number(args['timeout-s']) * 1000;
const headers = { 'Content-Type': 'application/json' };
if (args.token)
    headers.Authorization = `Bearer ${args.token}`;
const body = JSON.stringify({
    model: args.model,
    stream: true,
    messages: [{ role: 'user', content: 'Stream twenty words, please.' }],
});

async function stream() {
    const start = performance.now();
    const res = await fetch(`${args.url}/v1/chat/completions`, {
        method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok)
        throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const decoder = new TextDecoder();
    let buffer = '';
    let events = 0;
    let done = false;
    let text = '';
    let firstByte = null;
    for await (const piece of res.body) {
        firstByte ??= performance.now();
        buffer += decoder.decode(piece, { stream: true }).replace(/\r\n/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            for (const line of event.split('\n')) {
                if (!line.startsWith('data:'))
                    continue;
                const data = line.slice(5).trim();
                if (data === '[DONE]') {
                    done = true;
                    continue;
                }
                ++events;
                const chunk = JSON.parse(data);
                text += chunk.choices?.[0]?.delta?.content ?? '';
            }
        }
    }
    if (!done)
        throw new Error(`stream ended without [DONE] after ${events} events`);
    return { ms: performance.now() - start, ttfbMs: firstByte - start, events, text };
}

function percentile(sorted, p) {
    return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))];
}

await stream(); // warm-up: connections, caches
const single = await stream();

const start = performance.now();
const results = await Promise.allSettled(Array.from({ length: count }, () => stream()));
const wallMs = performance.now() - start;

const ok = results.filter(r => r.status === 'fulfilled').map(r => r.value);
const errors = results.filter(r => r.status === 'rejected').map(r => String(r.reason?.message ?? r.reason));
const garbled = ok.filter(r => r.text !== single.text).length;
const durations = ok.map(r => r.ms).sort((a, b) => a - b);
const ttfbs = ok.map(r => r.ttfbMs).sort((a, b) => a - b);
const events = ok.map(r => r.events);
const totalEvents = events.reduce((a, b) => a + b, 0);

let maxConcurrent = 'n/a';
if (args.stats) {
    try {
        const stats = await (await fetch(args.stats, { signal: AbortSignal.timeout(5000) })).json();
        maxConcurrent = stats.max_concurrent_streams;
    } catch (e) {
        maxConcurrent = `unavailable (${e.message})`;
    }
}

const f = ms => `${ms.toFixed(0)} ms`;
console.log(`streams:                 ${count} concurrent, ${ok.length} complete, ${errors.length} failed, ${garbled} with wrong text`);
console.log(`chunks:                  ${totalEvents} total, ${ok.length ? Math.min(...events) : 0}..${ok.length ? Math.max(...events) : 0} per stream (single stream: ${single.events})`);
console.log(`single stream:           ${f(single.ms)} (first byte ${f(single.ttfbMs)})`);
if (ok.length) {
    console.log(`concurrent wall time:    ${f(wallMs)} = ${(wallMs / single.ms).toFixed(2)}x single`
        + ` (per stream p50 ${f(percentile(durations, 50))}, max ${f(durations.at(-1))};`
        + ` first byte p50 ${f(percentile(ttfbs, 50))}, max ${f(ttfbs.at(-1))})`);
}
console.log(`upstream max concurrent: ${maxConcurrent}`);
// For run.sh: count, complete, failed or garbled, wall time in ms.
console.log(`result: ${count} ${ok.length} ${errors.length + garbled} ${wallMs.toFixed(0)}`);
for (const e of errors.slice(0, 5))
    console.log(`  error: ${e}`);
process.exit(errors.length || garbled ? 1 : 0);

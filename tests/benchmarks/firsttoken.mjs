// Time to the first streamed token, one request at a time, over one kept-alive connection.
// Node 20, no packages. Usage:
//   node firsttoken.mjs --url http://127.0.0.1:PORT --model NAME [--token T] [--samples 200]
// Prints one line: "<samples> <mean ms> <median ms> <p90 ms>" for the time from sending the
// request to receiving the first chunk that carries content. Exit status 1 when a request fails.
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
    options: {
        url: { type: 'string' },
        model: { type: 'string' },
        token: { type: 'string', default: '' },
        samples: { type: 'string', default: '200' },
    },
});
if (!args.url || !args.model) {
    console.error('firsttoken.mjs: --url and --model are required');
    process.exit(2);
}
const url = new URL('/v1/chat/completions', args.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const body = JSON.stringify({
    model: args.model,
    stream: true,
    messages: [{ role: 'user', content: 'Stream three words, please.' }],
});
const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
if (args.token)
    headers.Authorization = `Bearer ${args.token}`;

// Resolves with the milliseconds to the first content chunk once the whole stream has ended.
function once() {
    return new Promise((resolve, reject) => {
        const start = process.hrtime.bigint();
        let first = null;
        let seen = '';
        const req = http.request(url, { method: 'POST', agent, headers, timeout: 30000 }, res => {
            if (res.statusCode !== 200) {
                reject(new Error(`HTTP ${res.statusCode}`));
                res.resume();
                return;
            }
            res.setEncoding('utf8');
            res.on('data', piece => {
                if (first !== null)
                    return;
                seen += piece;
                if (/"content":"[^"]/.test(seen))
                    first = process.hrtime.bigint();
            });
            res.on('end', () => first === null ? reject(new Error('no content chunk'))
                                               : resolve(Number(first - start) / 1e6));
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(body);
    });
}

const samples = Number(args.samples);
for (let i = 0; i < 20; ++i)
    await once(); // warm-up: connection, caches, JIT
const times = [];
for (let i = 0; i < samples; ++i)
    times.push(await once());
times.sort((a, b) => a - b);
const mean = times.reduce((a, b) => a + b, 0) / times.length;
const at = p => times[Math.min(times.length - 1, Math.floor(p / 100 * times.length))];
console.log(`${times.length} ${mean.toFixed(4)} ${at(50).toFixed(4)} ${at(90).toFixed(4)}`);
agent.destroy();
